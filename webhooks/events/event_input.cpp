#include "webhooks/events/event_input.hpp"

#include "common/ids/device_id.hpp"
#include "common/ids/uuid.hpp"
#include "common/json/ecma_json.hpp"
#include "common/time/iso8601.hpp"
#include "webhooks/model/event_types.hpp"

#include <nlohmann/json.hpp>

namespace ssegw::webhooks {
namespace {

constexpr std::string_view id_rule = "must be 1-200 bytes without spaces or control characters";

// A value echoed in a reason: the reason must stay one printable line, whatever was given.
std::string shown(std::string_view v) {
    std::string out = "'";
    for (std::size_t i = 0; i < v.size() && i < 64; ++i) {
        auto const c = static_cast<unsigned char>(v[i]);
        out += c < 0x20 || c == 0x7f ? '?' : v[i];
    }
    return out + (v.size() > 64 ? "…'" : "'");
}

std::string type_list() {
    std::string s;
    for (auto t : event_types) s += (s.empty() ? "" : ", ") + std::string(t);
    return s;
}

// "" means none; anything else must be a valid id.
bool check_optional_id(std::optional<std::string> const& id, std::string_view flag, std::string& error) {
    if (!id || id->empty() || ids::valid_device_id(*id)) return true;
    error = std::string(flag) + " " + std::string(id_rule) + " (or \"\" for none)";
    return false;
}

// The id a data member names, when the flags left it open: only a string counts, "" is none, and a
// string that breaks the id rule is refused (the script would refuse it anyway).
bool id_from_data(nlohmann::json const& data, char const* member, std::string& into, std::string& error) {
    auto it = data.find(member);
    if (it == data.end() || !it->is_string()) return true;
    auto const& v = it->get_ref<std::string const&>();
    if (!v.empty() && !ids::valid_device_id(v)) {
        error = "data." + std::string(member) + " " + std::string(id_rule);
        return false;
    }
    into = v;
    return true;
}

} // namespace

std::optional<event_template> check_event_flags(event_flags const& flags, std::string& error) {
    if (flags.type == test_event_type) {
        error = "--event: " + std::string(test_event_type) + " is sent by webhook tests only and cannot be published";
        return std::nullopt;
    }
    if (!event_type_index(flags.type)) {
        error = "--event: unknown event type " + shown(flags.type) + " (one of: " + type_list() + ")";
        return std::nullopt;
    }
    if (!ids::valid_device_id(flags.user)) {
        error = "--user " + std::string(id_rule);
        return std::nullopt;
    }
    if (!check_optional_id(flags.device, "--device", error) || !check_optional_id(flags.scene, "--scene", error))
        return std::nullopt;
    event_template t{flags.type, flags.user, flags.device, flags.scene, std::nullopt, {}};
    if (flags.event_id) {
        t.event_id = ids::normalize_uuid(*flags.event_id);
        if (!t.event_id) {
            error = "--event-id: " + shown(*flags.event_id) + " is not a UUID (8-4-4-4-12 hex digits)";
            return std::nullopt;
        }
    }
    if (flags.timestamp) {
        auto const ms = iso8601::parse_date_time(*flags.timestamp);
        if (!ms || *ms < 0) {
            error = "--timestamp: " + shown(*flags.timestamp) +
                    (ms ? " is before 1970" : " is not ISO 8601 with a zone (e.g. 2026-01-29T10:30:00Z or +08:00)");
            return std::nullopt;
        }
        t.time_ms = std::to_string(*ms);
    }
    return t;
}

std::optional<event_fields> assemble_event(event_template const& t, std::string_view data_json, std::string& error) {
    auto data = json::ecma_serialize_event_data(data_json, error);
    if (!data) {
        if (!error.starts_with("data ")) error = "data: " + error;
        return std::nullopt;
    }
    event_fields e{t.event_id ? *t.event_id : ids::make_uuid7(), t.type, t.user, t.device.value_or(""),
                   t.scene.value_or(""), t.time_ms, std::move(*data)};
    if (!t.device || !t.scene) {
        // The re-serialised text is valid JSON without duplicate keys: this parse cannot fail.
        auto const parsed = nlohmann::json::parse(e.data, nullptr, /*allow_exceptions=*/false);
        if (!t.device && !id_from_data(parsed, "deviceId", e.device_id, error)) return std::nullopt;
        if (!t.scene && !id_from_data(parsed, "sceneId", e.scene_id, error)) return std::nullopt;
    }
    return e;
}

std::optional<event_fields> make_event(event_flags const& flags, std::string_view data_json, std::string& error) {
    auto t = check_event_flags(flags, error);
    if (!t) return std::nullopt;
    return assemble_event(*t, data_json, error);
}

} // namespace ssegw::webhooks

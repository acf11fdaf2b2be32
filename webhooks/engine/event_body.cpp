#include "webhooks/engine/event_body.hpp"

#include "common/ids/device_id.hpp"
#include "common/ids/uuid.hpp"
#include "common/json/ecma_json.hpp"
#include "common/time/iso8601.hpp"
#include "webhooks/model/event_types.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace ssegw::webhooks {
namespace {

// The last ms of 9999-12-31: format_ms writes four-digit years only.
constexpr std::int64_t latest_ms = 253402300799999;

std::optional<std::int64_t> unix_ms(std::string const& s) {
    std::int64_t n = 0;
    if (s.empty() || s.size() > 15 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size() || n > latest_ms) return std::nullopt;
    return n;
}

// A top-level member of the (already checked) data when it is a string.
std::optional<std::string> string_member(nlohmann::json const& data, char const* name) {
    auto it = data.find(name);
    if (it == data.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

} // namespace

std::variant<event_entry, malformed_event> read_event(hash_fields const& entry) {
    auto field = [&entry](char const* name) { return field_of(entry, name); };
    for (char const* name : {"eventId", "type", "userId", "deviceId", "sceneId", "ts", "data"})
        if (!field(name)) return malformed_event{std::string("missing field ") + name};

    event_entry e;
    e.event_id = *field("eventId");
    if (auto lower = ids::normalize_uuid(e.event_id); !lower || *lower != e.event_id)
        return malformed_event{"eventId: not a lowercase UUID"};
    e.type = *field("type");
    if (!event_type_index(e.type)) return malformed_event{"type: not a catalogue event type"};
    e.user_id = *field("userId");
    if (!ids::valid_device_id(e.user_id)) return malformed_event{"userId: breaks the id rule"};
    e.device_id = *field("deviceId");
    if (!e.device_id.empty() && !ids::valid_device_id(e.device_id))
        return malformed_event{"deviceId: breaks the id rule"};
    e.scene_id = *field("sceneId");
    if (!e.scene_id.empty() && !ids::valid_device_id(e.scene_id)) return malformed_event{"sceneId: breaks the id rule"};
    auto ms = unix_ms(*field("ts"));
    if (!ms) return malformed_event{"ts: not unix ms"};
    e.time_ms = *ms;

    std::string error;
    auto data = json::ecma_serialize_event_data(*field("data"), error);
    if (!data) return malformed_event{"data: " + error};
    // The re-serialised data is valid JSON without duplicate keys, so this parse cannot fail.
    auto parsed = nlohmann::json::parse(*data, nullptr, false);
    e.alert_event_id = string_member(parsed, "alertEventId");
    e.severity = string_member(parsed, "severity");

    // The id and type are a UUID and a catalogue name: nothing in them needs escaping.
    e.body.reserve(data->size() + 128);
    e.body += R"({"id":")";
    e.body += e.event_id;
    e.body += R"(","type":")";
    e.body += e.type;
    e.body += R"(","timestamp":")";
    e.body += iso8601::format_ms(e.time_ms);
    e.body += R"(","data":)";
    e.body += *data;
    e.body += '}';
    return e;
}

} // namespace ssegw::webhooks

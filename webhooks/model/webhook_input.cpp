#include "webhooks/model/webhook_input.hpp"

#include "common/ascii.hpp"
#include "common/ids/device_id.hpp"
#include "webhooks/model/event_types.hpp"
#include "webhooks/secrets/secret.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>

namespace ssegw::webhooks {
namespace {

using json = nlohmann::ordered_json;
using web::api_error;
using web::error_kind;

api_error bad(std::string field, std::string message) {
    // A member named "" cannot be named by its name: the body as a whole is at fault.
    if (field.empty()) field = "body";
    return api_error{error_kind::bad_request, std::move(message), std::move(field)};
}

constexpr std::array<std::string_view, 10> read_only_members = {
    "id",        "disabledReason", "disabledAt", "failCount",  "lastTriggered", "lastDeliveryAt",
    "createdAt", "updatedAt",      "previousSecretExpiresAt", "standardWebhooksSecret"};

bool is_read_only(std::string_view m) {
    for (auto r : read_only_members)
        if (r == m) return true;
    return false;
}

// `application/json`, with or without parameters such as charset.
bool is_json_media_type(std::string_view ct) {
    auto semi = ct.find(';');
    auto type = ct.substr(0, semi);
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
    return ascii::iequals(type, "application/json");
}

// The body as one JSON object; no body at all counts as `{}`.
std::variant<api_error, json> object_body(std::string_view content_type, std::string_view body) {
    if (body.empty()) return json::object();
    if (!is_json_media_type(content_type)) return bad("body", "body must be a JSON object sent as application/json");
    auto j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad("body", "body must be a JSON object");
    return j;
}

// Code points of valid UTF-8 (nlohmann has checked it), refusing C0, DEL and C1 controls.
bool acceptable_name(std::string const& s) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size(); ++count) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) return false;
        if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0) return false;  // U+0080-U+009F
        i += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    }
    return count >= 1 && count <= 100;
}

std::optional<api_error> read_types(json const& v, std::string& out) {
    if (!v.is_array() || v.empty()) return bad("subscribedTypes", "subscribedTypes must be a non-empty array of event types");
    std::array<bool, event_types.size()> chosen{};
    for (auto const& t : v) {
        auto name = t.is_string() ? t.get<std::string>() : t.dump();
        auto index = t.is_string() ? event_type_index(name) : std::nullopt;
        if (!index) return bad("subscribedTypes", "unknown event type '" + name + "'");
        chosen[*index] = true;
    }
    out.clear();
    for (std::size_t i = 0; i < event_types.size(); ++i)
        if (chosen[i]) out += (out.empty() ? "" : " ") + std::string(event_types[i]);
    return std::nullopt;
}

std::optional<api_error> read_ids(json const& v, std::string const& field, json& out) {
    auto message = field + " must hold 1-100 ids";
    if (!v.is_array() || v.empty() || v.size() > 100) return bad(field, message);
    json ids = json::array();
    for (auto const& id : v) {
        if (!id.is_string() || !ids::valid_device_id(id.get_ref<std::string const&>())) return bad(field, message);
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    out = std::move(ids);
    return std::nullopt;
}

std::optional<api_error> read_filter(json const& v, std::string& out) {
    json f = json::object();
    if (!v.is_null()) {
        if (!v.is_object()) return bad("filter", "filter must be an object with deviceIds and/or sceneIds");
        for (auto const& [k, _] : v.items())
            if (k != "deviceIds" && k != "sceneIds") return bad("filter", "filter may hold only deviceIds and sceneIds");
        for (auto name : {"deviceIds", "sceneIds"}) {
            auto it = v.find(name);
            if (it == v.end()) continue;
            json ids;
            if (auto err = read_ids(*it, std::string("filter.") + name, ids)) return err;
            f[name] = std::move(ids);
        }
    }
    out = f.dump(-1, ' ', false, json::error_handler_t::strict);
    return std::nullopt;
}

std::optional<int> integer_in(json const& v, std::int64_t lo, std::int64_t hi) {
    if (!v.is_number_integer()) return std::nullopt;
    if (v.is_number_unsigned()) {
        // nlohmann stores every non-negative integer as unsigned: both bounds apply here too.
        auto u = v.get<std::uint64_t>();
        if (u < static_cast<std::uint64_t>(lo) || u > static_cast<std::uint64_t>(hi)) return std::nullopt;
        return static_cast<int>(u);
    }
    auto n = v.get<std::int64_t>();
    if (n < lo || n > hi) return std::nullopt;
    return static_cast<int>(n);
}

} // namespace

std::variant<api_error, webhook_changes> read_webhook_input(std::string_view content_type, std::string_view body,
                                                            input_for what, url_rules const& urls) {
    auto parsed = object_body(content_type, body);
    if (auto* e = std::get_if<api_error>(&parsed)) return *e;
    auto const& j = std::get<json>(parsed);

    for (auto const& [k, _] : j.items()) {
        if (k == "secret" && what == input_for::update)
            return bad("secret", "secret cannot be patched: POST /api/v1/users/me/webhook/secret/regenerate");
        if (is_read_only(k)) return bad(k, "field '" + k + "' is read-only");
        if (k != "url" && k != "name" && k != "secret" && k != "subscribedTypes" && k != "filter" && k != "timeoutMs" &&
            k != "maxRetries" && k != "enabled")
            return bad(k, "unknown field '" + k + "'");
    }
    if (what == input_for::update && j.empty()) return bad("body", "nothing to update");

    webhook_changes c;
    if (auto it = j.find("url"); it != j.end()) {
        if (!it->is_string() || !acceptable_url(it->get_ref<std::string const&>(), urls))
            return bad("url", urls.allow_http ? "url must be an http(s) URL of at most 500 characters"
                                              : "url must be an https URL of at most 500 characters");
        c.url = it->get<std::string>();
    } else if (what == input_for::create) {
        return bad("url", "url is required");
    }
    if (auto it = j.find("name"); it != j.end()) {
        if (it->is_null()) c.name = std::optional<std::string>();
        else if (it->is_string() && acceptable_name(it->get_ref<std::string const&>())) c.name = it->get<std::string>();
        else return bad("name", "name must be 1-100 characters");
    }
    if (auto it = j.find("secret"); it != j.end()) {
        if (!it->is_string() || !valid_secret(it->get_ref<std::string const&>()))
            return bad("secret", "secret must be 16-128 printable ASCII characters, not starting with whsec_");
        c.secret = it->get<std::string>();
    }
    if (auto it = j.find("subscribedTypes"); it != j.end()) {
        std::string types;
        if (auto err = read_types(*it, types)) return *err;
        c.subscribed_types = std::move(types);
    }
    if (auto it = j.find("filter"); it != j.end()) {
        std::string f;
        if (auto err = read_filter(*it, f)) return *err;
        c.filter = std::move(f);
    }
    if (auto it = j.find("timeoutMs"); it != j.end()) {
        c.timeout_ms = integer_in(*it, 1000, 30000);
        if (!c.timeout_ms) return bad("timeoutMs", "timeoutMs must be an integer from 1000 to 30000");
    }
    if (auto it = j.find("maxRetries"); it != j.end()) {
        c.max_retries = integer_in(*it, 0, 5);
        if (!c.max_retries) return bad("maxRetries", "maxRetries must be an integer from 0 to 5");
    }
    if (auto it = j.find("enabled"); it != j.end()) {
        if (!it->is_boolean()) return bad("enabled", "enabled must be true or false");
        c.enabled = it->get<bool>();
    }
    return c;
}

std::variant<api_error, std::optional<std::string>> read_regenerate_input(std::string_view content_type,
                                                                          std::string_view body) {
    auto parsed = object_body(content_type, body);
    if (auto* e = std::get_if<api_error>(&parsed)) return *e;
    auto const& j = std::get<json>(parsed);
    for (auto const& [k, _] : j.items())
        if (k != "secret") return bad(k, is_read_only(k) ? "field '" + k + "' is read-only" : "unknown field '" + k + "'");
    auto it = j.find("secret");
    if (it == j.end()) return std::optional<std::string>();
    if (!it->is_string() || !valid_secret(it->get_ref<std::string const&>()))
        return bad("secret", "secret must be 16-128 printable ASCII characters, not starting with whsec_");
    return std::optional<std::string>(it->get<std::string>());
}

std::optional<api_error> read_empty_input(std::string_view content_type, std::string_view body) {
    auto parsed = object_body(content_type, body);
    if (auto* e = std::get_if<api_error>(&parsed)) return *e;
    for (auto const& [k, _] : std::get<json>(parsed).items()) return bad(k, "unknown field '" + k + "'");
    return std::nullopt;
}

} // namespace ssegw::webhooks

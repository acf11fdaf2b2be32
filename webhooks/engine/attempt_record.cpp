#include "webhooks/engine/attempt_record.hpp"

#include "common/time/iso8601.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>

namespace ssegw::webhooks {
namespace {

enum class shape { string, number, time, boolean, raw_json };

struct field {
    char const* name;
    shape as;
};

constexpr field fields_in_order[] = {
    {"id", shape::string},           {"deliveryId", shape::string},      {"webhookUrl", shape::string},
    {"notificationId", shape::string}, {"alertEventId", shape::string},  {"severity", shape::string},
    {"notificationType", shape::string}, {"deviceId", shape::string},    {"sceneId", shape::string},
    {"payload", shape::raw_json},    {"status", shape::string},          {"httpStatusCode", shape::number},
    {"responseTimeMs", shape::number}, {"responseBody", shape::string},  {"errorMessage", shape::string},
    {"attemptNumber", shape::number}, {"maxAttempts", shape::number},    {"isFinalAttempt", shape::boolean},
    {"trigger", shape::string},      {"scheduledAt", shape::time},       {"attemptedAt", shape::time},
    {"createdAt", shape::time},
};

std::optional<std::int64_t> number_of(std::string const& v) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
    return n;
}

// Response bodies are already valid UTF-8 (U+FFFD for bad bytes); replacing is only a safety net.
std::string json_string(std::string const& s) {
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string value_of(std::string const* v, shape as) {
    if (!v) return "null";
    switch (as) {
    case shape::string: return json_string(*v);
    case shape::number: {
        auto n = number_of(*v);
        return n ? std::to_string(*n) : "null";
    }
    case shape::time: {
        auto n = number_of(*v);
        return n && *n >= 0 && *n <= 253402300799999 ? json_string(iso8601::format_ms(*n)) : "null";
    }
    case shape::boolean: return *v == "1" ? "true" : "false";
    case shape::raw_json: return nlohmann::json::accept(*v) ? *v : "null";
    }
    return "null";
}

} // namespace

std::string record_json(hash_fields const& fields) {
    std::string out = "{";
    for (auto const& f : fields_in_order) {
        if (out.size() > 1) out += ',';
        out += '"';
        out += f.name;
        out += "\":";
        out += value_of(field_of(fields, f.name), f.as);
    }
    out += '}';
    return out;
}

} // namespace ssegw::webhooks

#include "common/envelope.hpp"

#include <nlohmann/json.hpp>

namespace ssegw {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void skip_ws(std::string_view s, std::size_t& i) {
    while (i < s.size() && is_ws(s[i])) ++i;
}

// Steps over a string starting at its opening quote; leaves i after the closing quote.
bool skip_string(std::string_view s, std::size_t& i) {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') ++i;
        else if (s[i] == '"') {
            ++i;
            return true;
        }
    }
    return false;
}

// Steps over any JSON value (the input is already known to be valid JSON).
bool skip_value(std::string_view s, std::size_t& i) {
    if (i >= s.size()) return false;
    if (s[i] == '"') return skip_string(s, i);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < s.size()) {
            char c = s[i];
            if (c == '"') {
                if (!skip_string(s, i)) return false;
                continue;
            }
            if (c == '{' || c == '[') ++depth;
            else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    ++i;
                    return true;
                }
            }
            ++i;
        }
        return false;
    }
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_ws(s[i])) ++i;
    return true;
}

bool key_equals(std::string_view raw_key, std::string_view key) {
    if (raw_key.size() == key.size() + 2 && raw_key.substr(1, key.size()) == key) return true;
    if (raw_key.find('\\') == std::string_view::npos) return false;
    auto decoded = nlohmann::json::parse(raw_key, nullptr, false);  // escaped key: decode it
    return decoded.is_string() && decoded.get_ref<std::string const&>() == key;
}

bool clean_token(std::string_view v) {
    for (char c : v)
        if (c == '\r' || c == '\n' || c == '\0') return false;
    return !v.empty();
}

} // namespace

// Calls fn(raw_key, raw_value) for each top-level member of an object, in order; false if `s`
// is not an object. The input is already known to be valid JSON.
template <class Fn>
static bool for_each_member(std::string_view s, Fn&& fn) {
    std::size_t i = 0;
    skip_ws(s, i);
    if (i >= s.size() || s[i] != '{') return false;
    ++i;
    for (;;) {
        skip_ws(s, i);
        if (i >= s.size()) return false;
        if (s[i] == '}') return true;
        if (s[i] == ',') {
            ++i;
            continue;
        }
        if (s[i] != '"') return false;
        std::size_t k0 = i;
        if (!skip_string(s, i)) return false;
        auto raw_key = s.substr(k0, i - k0);
        skip_ws(s, i);
        if (i >= s.size() || s[i] != ':') return false;
        ++i;
        skip_ws(s, i);
        std::size_t v0 = i;
        if (!skip_value(s, i)) return false;
        fn(raw_key, s.substr(v0, i - v0));
    }
}

std::optional<std::string_view> raw_member(std::string_view s, std::string_view key) {
    std::optional<std::string_view> found;
    if (!for_each_member(s, [&](std::string_view k, std::string_view v) {
            if (key_equals(k, key)) found = v;  // the last of duplicates, as a JSON parser keeps
        }))
        return std::nullopt;
    return found;
}

// A JSON string member's value, decoded (nlohmann only when it holds escapes); nullopt if the
// member is not a string.
static std::optional<std::string> string_member(std::string_view raw) {
    if (raw.size() < 2 || raw.front() != '"') return std::nullopt;
    if (raw.find('\\') == std::string_view::npos) return std::string(raw.substr(1, raw.size() - 2));
    auto decoded = nlohmann::json::parse(raw, nullptr, false);
    if (!decoded.is_string()) return std::nullopt;
    return decoded.get<std::string>();
}

// Validated without building a document (json::accept), then the three members are found in
// place: this runs once per Redis message, and a DOM of the producer's result is never needed.
std::optional<envelope> parse_envelope(std::string_view payload, std::string& error) {
    if (!nlohmann::json::accept(payload)) {
        error = "not JSON";
        return std::nullopt;
    }
    auto const first = payload.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || payload[first] != '{') {
        error = "not a JSON object";
        return std::nullopt;
    }
    std::optional<std::string_view> id_raw, ev_raw, data_raw;
    for_each_member(payload, [&](std::string_view k, std::string_view v) {
        if (key_equals(k, "id")) id_raw = v;
        else if (key_equals(k, "event")) ev_raw = v;
        else if (key_equals(k, "data")) data_raw = v;
    });
    envelope env;
    auto id = id_raw ? string_member(*id_raw) : std::nullopt;
    if (!id) {
        error = "missing string id";
        return std::nullopt;
    }
    env.id = std::move(*id);
    auto parsed = sse::parse_event_id(env.id);
    if (!parsed) {
        error = "id is not a stream entry id";
        return std::nullopt;
    }
    env.parsed_id = *parsed;
    if (!ev_raw) {
        env.event = "analysis_result";
    } else if (auto ev = string_member(*ev_raw); ev && clean_token(*ev)) {
        env.event = std::move(*ev);
    } else {
        error = "bad event name";
        return std::nullopt;
    }
    if (!data_raw) {
        error = "missing data";
        return std::nullopt;
    }
    env.data = *data_raw;
    return env;
}

} // namespace ssegw

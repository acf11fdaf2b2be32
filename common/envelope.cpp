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

std::optional<std::string_view> raw_member(std::string_view s, std::string_view key) {
    std::size_t i = 0;
    skip_ws(s, i);
    if (i >= s.size() || s[i] != '{') return std::nullopt;
    ++i;
    std::optional<std::string_view> found;
    for (;;) {
        skip_ws(s, i);
        if (i >= s.size()) return std::nullopt;
        if (s[i] == '}') return found;
        if (s[i] == ',') {
            ++i;
            continue;
        }
        if (s[i] != '"') return std::nullopt;
        std::size_t k0 = i;
        if (!skip_string(s, i)) return std::nullopt;
        auto raw_key = s.substr(k0, i - k0);
        skip_ws(s, i);
        if (i >= s.size() || s[i] != ':') return std::nullopt;
        ++i;
        skip_ws(s, i);
        std::size_t v0 = i;
        if (!skip_value(s, i)) return std::nullopt;
        if (key_equals(raw_key, key)) found = s.substr(v0, i - v0);
    }
}

std::optional<envelope> parse_envelope(std::string_view payload, std::string& error) {
    auto j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        error = "not JSON";
        return std::nullopt;
    }
    if (!j.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    envelope env;
    auto id = j.find("id");
    if (id == j.end() || !id->is_string()) {
        error = "missing string id";
        return std::nullopt;
    }
    env.id = id->get<std::string>();
    auto parsed = sse::parse_event_id(env.id);
    if (!parsed) {
        error = "id is not a stream entry id";
        return std::nullopt;
    }
    env.parsed_id = *parsed;
    auto ev = j.find("event");
    if (ev == j.end()) env.event = "analysis_result";
    else if (ev->is_string() && clean_token(ev->get_ref<std::string const&>())) env.event = ev->get<std::string>();
    else {
        error = "bad event name";
        return std::nullopt;
    }
    if (!j.contains("data")) {
        error = "missing data";
        return std::nullopt;
    }
    auto raw = raw_member(payload, "data");
    if (!raw) {
        error = "data not found";
        return std::nullopt;
    }
    env.data = *raw;
    return env;
}

} // namespace ssegw

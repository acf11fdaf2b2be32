// The small conversions every webhook Lua step's C++ side shares: an optional argument in the form
// the scripts' `opt()` reads, and the checks its reply readers make. Pure.
#pragma once

#include "common/redis/value.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssegw::webhooks::script_values {

/// "" = none, else "=" + the value: an empty string stays a value.
inline std::string opt(std::optional<std::string> const& v) { return v ? "=" + *v : std::string(); }

/// A whole decimal number, nothing else.
inline std::optional<std::int64_t> integer_of(std::string_view s) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return n;
}

/// A bulk string reply equal to `word`.
inline bool is_word(redis::value const& v, std::string_view word) {
    return v.type == redis::value::kind::string && v.str == word;
}

} // namespace ssegw::webhooks::script_values

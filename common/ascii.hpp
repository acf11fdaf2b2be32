// Case-insensitive ASCII comparison for protocol tokens (header names, schemes, media types), in
// one place. Header-only, so the dependency-free benchmark baseline uses it too. Not Beast's
// iequals: Boost 1.81's reads one byte past a view that ends in a match.
#pragma once

#include <string_view>

namespace ssegw::ascii {

constexpr char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

/// Whether `needle` occurs in `haystack`, ignoring case.
constexpr bool icontains(std::string_view haystack, std::string_view needle) noexcept {
    for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i)
        if (iequals(haystack.substr(i, needle.size()), needle)) return true;
    return false;
}

} // namespace ssegw::ascii

// Shapes of the hex strings the platform exchanges (key hashes, tickets).
#pragma once

#include <string_view>

namespace ssegw {

/// 64 lowercase hex characters: a SHA-256 digest as sha256_hex writes it, or a 32-byte token.
inline bool is_hex64(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

} // namespace ssegw

// UUIDs as the platform writes them: every id it makes is a lowercase UUIDv7 (time-ordered, so
// ids sort by creation), and ids it is given are checked and lowercased.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssegw::ids {

/// A new UUIDv7 (RFC 9562): 48 bits of unix ms, then 74 random bits from RAND_bytes. Thread-safe.
std::string make_uuid7(std::int64_t unix_ms);
std::string make_uuid7();

/// `s` as a lowercase UUID if it is one in the 8-4-4-4-12 hex form (any case, any version).
std::optional<std::string> normalize_uuid(std::string_view s);

} // namespace ssegw::ids

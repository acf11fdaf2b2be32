// Decides whether an API key may open a stream (GATEWAY.md sections 3-4); pure logic, the Redis
// look-ups that feed it live in stream_opener.
#pragma once

#include "gateway/api_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssegw::gateway {

/// The fields of hash apikey:<sha256-hex(key)>; `found` is false when the hash does not exist.
struct key_record {
    bool found = false;
    std::string user_id;
    std::string scopes;                     // space-separated
    std::optional<std::int64_t> expires_at; // unix seconds
    bool revoked = false;
    bool malformed = false;                 // e.g. expiresAt not a number: treated as unusable
};

key_record key_record_from_fields(std::vector<std::pair<std::string, std::string>> const& fields);

/// The token of "Bearer <token>" (scheme case-insensitive), or nullopt.
std::optional<std::string> bearer_token(std::string_view authorization);

/// nullopt: the key may open a stream. Scopes needed: device:read or analytics:read.
std::optional<api_error> check_key(key_record const& k, std::int64_t now_unix);

} // namespace ssegw::gateway

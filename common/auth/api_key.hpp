// API keys: the record behind apikey:<sha256-hex(key)>, the Bearer header, and whether a record
// may be used for a request that needs some scopes. Pure; key_lookup feeds it from Redis.
#pragma once

#include "common/http/api_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssegw::auth {

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

/// nullopt: the key is usable and holds at least one of `any_of_scopes` (none named: any usable key).
std::optional<web::api_error> check_key(key_record const& k, std::int64_t now_unix,
                                        std::vector<std::string_view> const& any_of_scopes);

} // namespace ssegw::auth

// Writes API-key records and users' device sets the way the gateway reads them: for the tools and
// tests that make users (sse-publish --demo, sse-bench, the integration tests).
#pragma once

#include "common/redis/sync_client.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ssegw::auth {

/// The fields of hash apikey:<sha256-hex(key)>.
struct key_record {
    std::string user;
    std::string scopes = "device:read analytics:read";  // space-separated
    std::optional<std::int64_t> expires_at{};             // unix seconds
    bool revoked = false;
};

/// add: `devices` join the user's set. replace: the set becomes exactly `devices`.
enum class device_set { add, replace };

/// One transaction, so the key never names a user whose devices are not there yet. The key's hash
/// is replaced, not merged: a re-used key must not keep an old `revoked` or `expiresAt`.
/// Throws redis::sync_error.
void seed_key(redis::sync_client& redis, std::string const& key_hash, key_record const& record,
              std::vector<std::string> const& devices, device_set mode = device_set::add);

} // namespace ssegw::auth

// Test data in Redis through the blocking client: API keys (apikey:<sha256>) and users' device sets.
#pragma once

#include "common/redis/sync_client.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace ssegw::it {

struct key_spec {
    std::string user{};
    std::string scopes = "device:read";
    std::optional<std::int64_t> expires_at{};  // unix seconds
    bool revoked = false;
};

/// A fresh random API key (hex).
std::string random_key();
/// sha256-hex of the key: the Redis hash's suffix and the apikey:revoked message.
std::string key_hash(std::string const& key);
/// HSET apikey:<sha256(key)> userId … scopes … [expiresAt …] [revoked 1]
void create_key(redis::sync_client& r, std::string const& key, key_spec const& spec);
/// SADD user:<user>:devices <device>
void add_device(redis::sync_client& r, std::string const& user, std::string const& device);
/// PUBLISH channel message; returns the receiver count.
long long publish_raw(redis::sync_client& r, std::string const& channel, std::string const& message);

} // namespace ssegw::it

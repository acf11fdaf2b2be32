// Test data in Redis through the blocking client: API keys and users' device sets.
#include "tests/support/seed.hpp"

#include "common/sha256.hpp"

#include <random>

namespace ssegw::it {

std::string random_key() {
    static std::mt19937_64 rng{std::random_device{}()};
    static char const hex[] = "0123456789abcdef";
    std::string k = "sk_test_";
    for (int i = 0; i < 32; ++i) k += hex[rng() % 16];
    return k;
}

std::string key_hash(std::string const& key) { return ssegw::sha256_hex(key); }

void create_key(redis::sync_client& r, std::string const& key, key_spec const& spec) {
    std::vector<std::string> args = {"HSET", "apikey:" + key_hash(key), "userId", spec.user, "scopes", spec.scopes};
    if (spec.expires_at) {
        args.push_back("expiresAt");
        args.push_back(std::to_string(*spec.expires_at));
    }
    if (spec.revoked) {
        args.push_back("revoked");
        args.push_back("1");
    }
    r.command(args);
}

void add_device(redis::sync_client& r, std::string const& user, std::string const& device) {
    r.command({"SADD", "user:" + user + ":devices", device});
}

long long publish_raw(redis::sync_client& r, std::string const& channel, std::string const& message) {
    auto rep = r.command({"PUBLISH", channel, message});
    return rep && rep->type == REDIS_REPLY_INTEGER ? rep->integer : -1;
}

} // namespace ssegw::it

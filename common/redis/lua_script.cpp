#include "common/redis/lua_script.hpp"

#include <openssl/evp.h>

#include <memory>

namespace ssegw::redis {

std::string script_sha1(std::string_view source) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(source.data(), source.size(), md, &len, EVP_sha1(), nullptr) != 1)
        throw sync_error("lua script: SHA1 unavailable");
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * len);
    for (unsigned int i = 0; i < len; ++i) {
        hex += digits[md[i] >> 4];
        hex += digits[md[i] & 0x0f];
    }
    return hex;
}

reply_ptr evalsha_or_load(sync_client& redis, std::string_view source, std::vector<std::string> const& evalsha) {
    // append/get_reply return error replies instead of throwing, so NOSCRIPT can be told apart.
    redis.append(evalsha);
    reply_ptr r = redis.get_reply();
    if (r->type == REDIS_REPLY_ERROR && std::string_view(r->str, r->len).starts_with("NOSCRIPT")) {
        redis.command({"SCRIPT", "LOAD", source});
        redis.append(evalsha);
        r = redis.get_reply();
    }
    return r;
}

void evalsha_or_load(client& redis, std::string_view source, std::vector<std::string> evalsha,
                     std::function<void(std::optional<value>)> done) {
    auto c = redis.shared_from_this();
    auto cmd = std::make_shared<std::vector<std::string>>(std::move(evalsha));
    redis.command(*cmd, [c, source, cmd, done = std::move(done)](redisReply* r) mutable {
        if (!r) return done(std::nullopt);
        if (r->type != REDIS_REPLY_ERROR || !std::string_view(r->str, r->len).starts_with("NOSCRIPT"))
            return done(copy_of(r));
        // Pipelined on the same connection, so the EVALSHA runs after the load.
        c->command({"SCRIPT", "LOAD", source}, [](redisReply*) {});
        c->command(*cmd, [done = std::move(done)](redisReply* again) {
            done(again ? std::optional<value>(copy_of(again)) : std::nullopt);
        });
    });
}

} // namespace ssegw::redis

#include "common/auth/key_lookup.hpp"

#include "common/redis/keys.hpp"

#include <chrono>
#include <vector>

namespace ssegw::auth {

std::vector<std::pair<std::string, std::string>> fields_of(redisReply const* r) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (std::size_t i = 0; i + 1 < r->elements; i += 2) {
        auto* k = r->element[i];
        auto* v = r->element[i + 1];
        if (k->type == REDIS_REPLY_STRING && v->type == REDIS_REPLY_STRING)
            fields.emplace_back(std::string(k->str, k->len), std::string(v->str, v->len));
    }
    return fields;
}

void lookup_key(redis::client& redis, std::string const& key_hash, std::vector<std::string_view> any_of_scopes,
                std::function<void(lookup_result)> done) {
    redis.command({"HGETALL", redis::keys::api_key(key_hash)},
                  [scopes = std::move(any_of_scopes), done = std::move(done)](redisReply* r) {
        if (!r || r->type != REDIS_REPLY_ARRAY)
            return done(web::api_error{web::error_kind::unavailable, "Redis is unavailable, try again shortly"});
        auto record = key_record_from_fields(fields_of(r));
        auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
        if (auto err = check_key(record, now, scopes)) return done(std::move(*err));
        done(std::move(record));
    });
}

} // namespace ssegw::auth

#include "common/auth/seed_key.hpp"

#include "common/redis/keys.hpp"

namespace ssegw::auth {

void seed_key(redis::sync_client& redis, std::string const& key_hash, key_record const& record,
              std::vector<std::string> const& devices, device_set mode) {
    std::string const key = redis::keys::api_key(key_hash);
    std::string const set = redis::keys::user_devices(record.user);
    std::vector<std::vector<std::string>> commands{{"MULTI"}, {"DEL", key}};
    if (mode == device_set::replace) commands.back().push_back(set);
    commands.push_back({"HSET", key, "userId", record.user, "scopes", record.scopes});
    if (record.expires_at) {
        commands.back().push_back("expiresAt");
        commands.back().push_back(std::to_string(*record.expires_at));
    }
    if (record.revoked) {
        commands.back().push_back("revoked");
        commands.back().push_back("1");
    }
    if (!devices.empty()) {
        commands.push_back({"SADD", set});
        commands.back().insert(commands.back().end(), devices.begin(), devices.end());
    }
    commands.push_back({"EXEC"});

    for (auto const& c : commands) redis.append(c);
    auto const failed = [&](std::string const& why) {
        return redis::sync_error("seeding the key of user " + record.user + ": " + why);
    };
    redis::reply_ptr last;
    std::string error;
    for (std::size_t i = 0; i < commands.size(); ++i) {  // every reply is read, even after an error
        last = redis.get_reply();
        if (last->type == REDIS_REPLY_ERROR && error.empty()) error.assign(last->str, last->len);
    }
    if (!error.empty()) throw failed(error);
    if (last->type != REDIS_REPLY_ARRAY) throw failed("transaction aborted");
    for (std::size_t i = 0; i < last->elements; ++i)
        if (last->element[i]->type == REDIS_REPLY_ERROR)
            throw failed(std::string(last->element[i]->str, last->element[i]->len));
}

} // namespace ssegw::auth

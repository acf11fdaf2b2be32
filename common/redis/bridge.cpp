#include "common/redis/bridge.hpp"

namespace ssegw::redis {

void bridge::command(std::vector<std::string> args, net::any_io_executor reply_to, value_handler done) {
    net::post(client_.get_executor(), [this, args = std::move(args), reply_to, done = std::move(done)]() mutable {
        client_.command(args, [reply_to, done = std::move(done)](redisReply* r) mutable {
            std::optional<value> v;
            if (r) v = copy_of(r);
            net::post(reply_to, [done = std::move(done), v = std::move(v)]() mutable { done(std::move(v)); });
        });
    });
}

void bridge::lookup_key(std::string key_hash, std::vector<std::string_view> any_of_scopes, net::any_io_executor reply_to,
                        std::function<void(auth::lookup_result)> done) {
    net::post(client_.get_executor(), [this, key_hash = std::move(key_hash), scopes = std::move(any_of_scopes), reply_to,
                                       done = std::move(done)]() mutable {
        auth::lookup_key(client_, key_hash, std::move(scopes), [reply_to, done = std::move(done)](auth::lookup_result r) mutable {
            net::post(reply_to, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
        });
    });
}

} // namespace ssegw::redis

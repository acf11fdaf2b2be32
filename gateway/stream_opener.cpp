#include "gateway/stream_opener.hpp"

#include "common/sha256.hpp"
#include "gateway/auth.hpp"

#include <chrono>

namespace ssegw::gateway {
namespace {

api_error redis_unavailable() { return {error_kind::unavailable, "Redis is unavailable, try again shortly"}; }

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

void stream_opener::open(open_request req, std::function<void(open_result)> done) {
    if (!redis_.up()) return done(redis_unavailable());
    stream_grant g;
    g.key_hash = sha256_hex(req.key);
    g.kind = req.kind == route_kind::device_stream ? stream_kind::device : stream_kind::all;
    auto key = "apikey:" + g.key_hash;  // built before the lambda below moves g
    redis_.command({"HGETALL", key},
                   [this, g = std::move(g), req = std::move(req), done = std::move(done)](redisReply* r) mutable {
                       if (!r || r->type != REDIS_REPLY_ARRAY) return done(redis_unavailable());
                       std::vector<std::pair<std::string, std::string>> fields;
                       for (std::size_t i = 0; i + 1 < r->elements; i += 2) {
                           auto* k = r->element[i];
                           auto* v = r->element[i + 1];
                           if (k->type == REDIS_REPLY_STRING && v->type == REDIS_REPLY_STRING)
                               fields.emplace_back(std::string(k->str, k->len), std::string(v->str, v->len));
                       }
                       auto record = key_record_from_fields(fields);
                       if (auto err = check_key(record, unix_now())) return done(*err);
                       g.user_id = record.user_id;
                       if (req.kind == route_kind::device_stream)
                           return check_device(std::move(g), req.device_id, req.take_lease, std::move(done));
                       g.channel = "analysis:user:" + g.user_id;
                       if (!req.take_lease) return done(std::move(g));
                       take_lease(std::move(g), std::move(done));
                   });
}

void stream_opener::check_device(stream_grant g, std::string device_id, bool take,
                                 std::function<void(open_result)> done) {
    auto devices = "user:" + g.user_id + ":devices";  // built before the lambda below moves g
    redis_.command({"SISMEMBER", devices, device_id},
                   [this, g = std::move(g), device_id, take, done = std::move(done)](redisReply* r) mutable {
                       if (!r || r->type != REDIS_REPLY_INTEGER) return done(redis_unavailable());
                       // Someone else's device and no device at all get the same answer.
                       if (r->integer != 1) return done(api_error{error_kind::not_found, "device not found"});
                       g.channel = "analysis:device:" + device_id;
                       if (!take) return done(std::move(g));
                       take_lease(std::move(g), std::move(done));
                   });
}

void stream_opener::take_lease(stream_grant g, std::function<void(open_result)> done) {
    auto user = g.user_id;
    leases_.acquire(user, max_per_user_,
                    [this, g = std::move(g), done = std::move(done)](lease_keeper::outcome o,
                                                                      std::string const& member) mutable {
                        switch (o) {
                        case lease_keeper::outcome::granted:
                            g.lease_member = member;
                            return done(std::move(g));
                        case lease_keeper::outcome::full:
                            return done(api_error{error_kind::too_many,
                                                  "this user already holds " + std::to_string(max_per_user_) +
                                                      " streams"});
                        case lease_keeper::outcome::unavailable: return done(redis_unavailable());
                        }
                    });
}

} // namespace ssegw::gateway

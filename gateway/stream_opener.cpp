#include "gateway/stream_opener.hpp"

#include "common/auth/key_lookup.hpp"
#include "common/redis/keys.hpp"
#include "common/sha256.hpp"

#include <chrono>

namespace ssegw::gateway {
namespace {

web::api_error redis_unavailable() { return {web::error_kind::unavailable, "Redis is unavailable, try again shortly"}; }

} // namespace

void stream_opener::open(open_request req, std::function<void(open_result)> done) {
    if (!redis_.up()) return done(redis_unavailable());
    if (req.what == open_request::action::issue_ticket) return issue_ticket(std::move(req), std::move(done));
    if (req.key.empty()) return open_with_ticket(std::move(req), std::move(done));
    auto key_hash = sha256_hex(req.key);
    load_key(key_hash, [this, key_hash, req = std::move(req),
                        done = std::move(done)](auth::lookup_result k) mutable {
        if (auto* err = std::get_if<web::api_error>(&k)) return done(std::move(*err));
        stream_grant g;
        g.key_hash = key_hash;
        g.user_id = std::get<auth::key_record>(k).user_id;
        grant(std::move(g), req, std::move(done));
    });
}

void stream_opener::load_key(std::string const& key_hash, key_handler next) {
    auth::lookup_key(redis_, key_hash, {"device:read", "analytics:read"}, std::move(next));
}

void stream_opener::open_with_ticket(open_request req, std::function<void(open_result)> done) {
    if (!well_formed_ticket(req.ticket))
        return done(web::api_error{web::error_kind::unauthorized, "unknown, used or expired stream ticket"});
    // Read and delete in one script: of two requests racing with one ticket, one gets it.
    auto take = ticket_take_command(ticket_redis_key(req.ticket));  // built before the lambda below moves req
    redis_.command(take,
                   [this, req = std::move(req), done = std::move(done)](redisReply* r) mutable {
                       if (!r || r->type != REDIS_REPLY_ARRAY) return done(redis_unavailable());
                       auto t = ticket_record_from_fields(auth::fields_of(r));
                       if (auto err = check_ticket_target(t, req.kind, req.device_id)) return done(std::move(*err));
                       // The ticket lives only as long as its key: revoked, expired or deleted
                       // since it was issued, and the ticket is refused too.
                       auto key_hash = t.key_hash;
                       load_key(key_hash, [this, t = std::move(t), req = std::move(req), done = std::move(done)](
                                              auth::lookup_result k) mutable {
                           if (auto* err = std::get_if<web::api_error>(&k)) return done(std::move(*err));
                           auto const& record = std::get<auth::key_record>(k);
                           if (record.user_id != t.user_id)
                               return done(web::api_error{web::error_kind::unauthorized, "the ticket's key changed hands"});
                           stream_grant g;
                           g.key_hash = t.key_hash;  // revoking the key ends ticket-opened streams too
                           g.user_id = record.user_id;
                           grant(std::move(g), req, std::move(done));
                       });
                   });
}

void stream_opener::issue_ticket(open_request req, std::function<void(open_result)> done) {
    auto key_hash = sha256_hex(req.key);
    load_key(key_hash, [this, key_hash, req = std::move(req),
                        done = std::move(done)](auth::lookup_result k) mutable {
        if (auto* err = std::get_if<web::api_error>(&k)) return done(std::move(*err));
        auto const& record = std::get<auth::key_record>(k);
        ticket_record t;
        t.found = true;
        t.key_hash = key_hash;
        t.user_id = record.user_id;
        t.scopes = record.scopes;
        auto ttl = req.ticket_ttl;
        if (req.device_id.empty()) return store_ticket(std::move(t), ttl, std::move(done));
        t.device_id = req.device_id;
        auto user = t.user_id;  // copied before the lambda below moves t
        owns_device(user, req.device_id,
                    [this, t = std::move(t), ttl, done = std::move(done)](std::optional<web::api_error> err) mutable {
                        if (err) return done(std::move(*err));
                        store_ticket(std::move(t), ttl, std::move(done));
                    });
    });
}

void stream_opener::store_ticket(ticket_record t, std::chrono::milliseconds ttl,
                                 std::function<void(open_result)> done) {
    auto ticket = new_ticket();
    if (ticket.empty()) return done(web::api_error{web::error_kind::unavailable, "no ticket could be made, try again shortly"});
    auto store = ticket_store_command(ticket_redis_key(ticket), t, ttl);  // before the lambda below moves ticket
    redis_.command(store,
                   [ticket = std::move(ticket), ttl, done = std::move(done)](redisReply* r) mutable {
                       if (!r || r->type != REDIS_REPLY_INTEGER) return done(redis_unavailable());
                       done(ticket_issued{std::move(ticket), ticket_expires_in(ttl)});
                   });
}

void stream_opener::grant(stream_grant g, open_request const& req, std::function<void(open_result)> done) {
    g.kind = req.kind == stream_kind::device ? stream_kind::device : stream_kind::all;
    if (req.kind == stream_kind::device)
        return check_device(std::move(g), req.device_id, req.take_lease, std::move(done));
    g.channel = redis::keys::user_channel(g.user_id);
    if (!req.take_lease) return done(std::move(g));
    take_lease(std::move(g), std::move(done));
}

void stream_opener::owns_device(std::string const& user_id, std::string const& device_id,
                                std::function<void(std::optional<web::api_error>)> next) {
    redis_.command({"SISMEMBER", redis::keys::user_devices(user_id), device_id}, [next = std::move(next)](redisReply* r) {
        if (!r || r->type != REDIS_REPLY_INTEGER) return next(redis_unavailable());
        // Someone else's device and no device at all get the same answer.
        if (r->integer != 1) return next(web::api_error{web::error_kind::not_found, "device not found"});
        next(std::nullopt);
    });
}

void stream_opener::check_device(stream_grant g, std::string device_id, bool take,
                                 std::function<void(open_result)> done) {
    auto user = g.user_id;  // copied before the lambda below moves g
    owns_device(user, device_id,
                [this, g = std::move(g), device_id, take, done = std::move(done)](std::optional<web::api_error> err) mutable {
                    if (err) return done(std::move(*err));
                    g.channel = redis::keys::device_channel(device_id);
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
                            return done(web::api_error{web::error_kind::too_many,
                                                  "this user already holds " + std::to_string(max_per_user_) +
                                                      " streams"});
                        case lease_keeper::outcome::unavailable: return done(redis_unavailable());
                        }
                    });
}

} // namespace ssegw::gateway

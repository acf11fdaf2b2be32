#include "gateway/lease_keeper.hpp"

#include "common/log.hpp"
#include "common/redis/keys.hpp"

#include <memory>

namespace ssegw::gateway {
namespace {

// Redis's own clock (TIME) scores every lease, so instances need no synchronised clocks.
constexpr char const* acquire_script = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
)lua";

// Plain ZADD, not XX: after a Redis restart that lost the set, the leases come back. One ZADD of
// every member given (refresh_chunk of them at most), not one call per member.
constexpr char const* refresh_script = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
local score = string.format('%d', now + ttl)
local args = {}
for i = 2, #ARGV do
  args[#args + 1] = score
  args[#args + 1] = ARGV[i]
end
redis.call('ZADD', KEYS[1], unpack(args))
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return #ARGV - 1
)lua";

// Leases refreshed per script run: Redis serves others between runs instead of stalling for a whole
// instance's streams of one user, and unpack() stays far below Lua's stack limit (about 8,000).
constexpr std::size_t refresh_chunk = 1000;

} // namespace

lease_keeper::lease_keeper(redis::client& redis, net::any_io_executor ex, std::string instance_id,
                           std::chrono::milliseconds ttl)
    : redis_(redis), timer_(std::move(ex)), instance_id_(std::move(instance_id)), ttl_(ttl) {}

void lease_keeper::start() { do_refresh(); }
void lease_keeper::stop() { timer_.cancel(); }

void lease_keeper::acquire(std::string const& user_id, unsigned max, acquire_handler done) {
    std::string member = instance_id_ + ":" + std::to_string(++next_);
    redis_.command({"EVAL", acquire_script, "1", redis::keys::user_leases(user_id), std::to_string(max), std::to_string(ttl_.count()),
                    member},
                   [this, user_id, member, done = std::move(done)](redisReply* r) {
                       if (!r || r->type != REDIS_REPLY_INTEGER) {
                           if (r && r->type == REDIS_REPLY_ERROR)
                               log::error("lease script failed", {{"error", r->str}});
                           return done(outcome::unavailable, member);
                       }
                       if (r->integer == 0) return done(outcome::full, member);
                       held_[user_id].insert(member);
                       ++count_;
                       done(outcome::granted, member);
                   });
}

void lease_keeper::release(std::string const& user_id, std::string const& member) {
    auto it = held_.find(user_id);
    if (it == held_.end() || it->second.erase(member) == 0) return;
    --count_;
    if (it->second.empty()) held_.erase(it);
    // If Redis is down the lease simply expires after the ttl.
    redis_.command({"ZREM", redis::keys::user_leases(user_id), member}, [](redisReply*) {});
}

void lease_keeper::release_all(std::function<void()> done) {
    auto pending = std::make_shared<std::size_t>(held_.size());
    auto finish = std::make_shared<std::function<void()>>(std::move(done));
    if (*pending == 0) return (*finish)();
    for (auto const& [user, members] : held_) {
        std::vector<std::string> args{"ZREM", redis::keys::user_leases(user)};
        args.insert(args.end(), members.begin(), members.end());
        redis_.command(args, [pending, finish](redisReply*) {
            if (--*pending == 0) (*finish)();
        });
    }
    held_.clear();
    count_ = 0;
}

void lease_keeper::do_refresh() {
    timer_.expires_after(ttl_ / 3);
    timer_.async_wait([this](error_code ec) {
        if (ec) return;
        refresh_now();
        do_refresh();
    });
}

void lease_keeper::refresh_now() {
    if (!redis_.up()) return;
    for (auto const& [user, members] : held_) {
        auto it = members.begin();
        while (it != members.end()) {
            std::vector<std::string> args{"EVAL", refresh_script, "1", redis::keys::user_leases(user),
                                          std::to_string(ttl_.count())};
            for (std::size_t n = 0; n < refresh_chunk && it != members.end(); ++n, ++it) args.push_back(*it);
            redis_.command(args, [](redisReply* r) {
                if (r && r->type == REDIS_REPLY_ERROR) log::error("lease refresh failed", {{"error", r->str}});
            });
        }
    }
}

} // namespace ssegw::gateway

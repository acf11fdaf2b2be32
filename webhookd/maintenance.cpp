#include "webhookd/maintenance.hpp"

#include "common/log.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/lua_script.hpp"
#include "webhooks/engine/engine_scripts.hpp"

#include <algorithm>

namespace ssegw::webhookd {
namespace {

using namespace std::chrono_literals;

constexpr auto consumer_idle_limit = std::chrono::milliseconds(std::chrono::hours(1));
constexpr std::size_t take_over_batch = 100;

} // namespace

maintenance::maintenance(redis::client& redis, std::string consumer, std::chrono::milliseconds reclaim_after,
                         flight_slots& slots, worker_metrics& metrics, plan_fn plan)
    : redis_(redis), consumer_(std::move(consumer)), reclaim_after_(reclaim_after), slots_(slots), metrics_(metrics),
      plan_(std::move(plan)), timer_(redis.get_executor()) {}

void maintenance::start() {
    stopped_ = false;
    tick_later(0ms);
}

void maintenance::stop() {
    stopped_ = true;
    timer_.cancel();
}

void maintenance::tick_later(std::chrono::milliseconds after) {
    if (stopped_) return;
    timer_.expires_after(after);
    timer_.async_wait([this](error_code e) {
        if (!e) tick();
    });
}

void maintenance::tick() {
    // Half the reclaim time, so that a dead instance's entries wait at most 1.5 × --reclaim-after;
    // at most every 5 s, at least every 0.5 s.
    auto every = std::clamp<std::chrono::milliseconds>(reclaim_after_ / 2, 500ms, 5000ms);
    if (stopped_ || busy_ || !redis_.up()) return tick_later(every);
    busy_ = true;
    redis::evalsha_or_load(redis_, webhooks::engine_script_source(webhooks::engine_step::maintain),
                           webhooks::maintain_command(consumer_idle_limit, consumer_),
                           [this, every](std::optional<redis::value> v) {
                               auto r = v ? webhooks::read_maintain_reply(*v) : std::nullopt;
                               if (r) {
                                   metrics_.backlog.store(r->lag + r->pending, std::memory_order_relaxed);
                                   metrics_.scheduled.store(r->scheduled, std::memory_order_relaxed);
                                   if (r->consumers_deleted > 0)
                                       log::info("idle consumers deleted", {{"count", r->consumers_deleted}});
                               } else if (v) {
                                   log::error("maintain step failed", {{"error", v->is_error() ? v->str : "unexpected reply"}});
                               }
                               take_over();
                               busy_ = false;
                               tick_later(every);
                           });
}

void maintenance::take_over() {
    if (stopped_) return;
    std::size_t n = std::min(slots_.free(), take_over_batch);
    if (n == 0) return;
    redis_.command({"XAUTOCLAIM", redis::keys::webhook_events, redis::keys::webhook_group, consumer_,
                    std::to_string(reclaim_after_.count()), cursor_, "COUNT", std::to_string(n)},
                   [this](redisReply* r) {
                       std::optional<autoclaim_reply> got;
                       if (r) {
                           auto v = redis::copy_of(r);
                           got = read_autoclaim_reply(v);
                           if (!got && !v.str.starts_with("NOGROUP"))
                               log::error("XAUTOCLAIM failed", {{"error", v.is_error() ? v.str : "unexpected reply"}});
                       }
                       if (!got) return;
                       std::size_t taken = got->entries.size();
                       cursor_ = got->next_cursor;
                       if (taken == 0) return;
                       metrics_.reclaimed_entries.fetch_add(taken, std::memory_order_relaxed);
                       log::info("event entries taken over", {{"count", taken}});
                       plan_(std::move(got->entries));
                   });
}

} // namespace ssegw::webhookd

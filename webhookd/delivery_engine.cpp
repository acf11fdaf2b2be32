#include "webhookd/delivery_engine.hpp"

#include "common/ids/uuid.hpp"
#include "common/log.hpp"
#include "common/redis/lua_script.hpp"
#include "webhooks/engine/event_body.hpp"

#include <variant>

namespace ssegw::webhookd {
namespace {

using namespace std::chrono_literals;

// A due retry starts within a second of its time while a slot is free (the contract's latency).
constexpr auto claim_every = 250ms;

webhooks::engine_limits limits_of(config const& cfg) {
    webhooks::engine_limits l;
    l.reclaim_after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.reclaim_after).count();
    l.retention_ms = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.webhook.retention).count();
    l.disable_after_failures = cfg.disable_after_failures;
    l.disable_after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.disable_after).count();
    return l;
}

std::string field(webhooks::hash_fields const& f, std::string_view name) {
    auto const* v = webhooks::field_of(f, name);
    return v ? *v : std::string();
}

} // namespace

delivery_engine::delivery_engine(net::io_context& ioc, config const& cfg, redis::client& redis,
                                 redis::client& reader_conn, webhooks::sender& sender, worker_metrics& metrics)
    : cfg_(cfg),
      redis_(redis),
      metrics_(metrics),
      limits_(limits_of(cfg)),
      slots_(cfg.max_in_flight, cfg.max_in_flight_per_webhook),
      runner_(redis, sender, *cfg.keys, retry_policy{cfg.retry_schedule, cfg.retry_jitter, cfg.retry_after_max},
              limits_, metrics),
      reader_(reader_conn, cfg.instance_id, slots_, [this](std::vector<stream_entry> e) { plan(std::move(e)); }),
      maintenance_(redis, cfg.instance_id, std::chrono::duration_cast<std::chrono::milliseconds>(cfg.reclaim_after),
                   slots_, metrics, [this](std::vector<stream_entry> e) { plan(std::move(e)); }),
      claim_timer_(ioc) {
    redis_.on_up([this] {
        load_scripts();
        runner_.flush();  // results kept through the outage
    });
    redis_.on_down([this] { scripts_ready_ = false; });
}

void delivery_engine::start() {
    stopped_ = false;
    reader_.start();
    maintenance_.start();
    if (redis_.up()) load_scripts();
    claim_later(claim_every);
}

void delivery_engine::stop_taking() {
    stopped_ = true;
    reader_.stop();
    maintenance_.stop();
    claim_timer_.cancel();
}

bool delivery_engine::idle() const { return slots_.held() == 0 && runner_.unrecorded() == 0 && !reader_.reading(); }

void delivery_engine::abandon() { runner_.abandon(); }

bool delivery_engine::ready(std::string& why) const {
    if (!redis_.up()) why = "redis not connected";
    else if (!reader_.group_ready()) why = "consumer group not ready";
    else if (!scripts_ready_) why = "scripts not loaded";
    else return true;
    return false;
}

void delivery_engine::load_scripts() {
    // Loaded up front so that readiness means the first EVALSHA works; a later NOSCRIPT (a flushed
    // or restarted server) loads again on the spot.
    scripts_ready_ = false;
    scripts_loading_ = 0;
    for (auto step : {webhooks::engine_step::plan, webhooks::engine_step::claim, webhooks::engine_step::complete,
                      webhooks::engine_step::cancel, webhooks::engine_step::maintain}) {
        ++scripts_loading_;
        redis_.command({"SCRIPT", "LOAD", webhooks::engine_script_source(step)}, [this](redisReply* r) {
            if (r && r->type == REDIS_REPLY_ERROR) log::error("SCRIPT LOAD failed", {{"error", std::string(r->str, r->len)}});
            if (r && r->type != REDIS_REPLY_ERROR && --scripts_loading_ == 0) scripts_ready_ = true;
        });
    }
}

void delivery_engine::plan(std::vector<stream_entry> entries) {
    metrics_.events_received.fetch_add(entries.size(), std::memory_order_relaxed);
    for (auto const& e : entries) plan_one(e);
}

void delivery_engine::plan_one(stream_entry const& entry) {
    auto read = webhooks::read_event(entry.fields);
    auto const* event = std::get_if<webhooks::event_entry>(&read);
    if (!event)
        log::warn("malformed event entry dropped",
                  {{"entry", entry.id}, {"reason", std::get<webhooks::malformed_event>(read).reason}});
    // The slot is taken before the plan runs, so that plans in flight count against both caps.
    // Without a free slot, or with the webhook at its cap, the first attempt is planned but left
    // due, for a claim once a slot frees (here or at another instance).
    std::string user = event ? event->user_id : field(entry.fields, "userId");
    bool claim = event && slots_.free() > 0 && slots_.webhook_has_room(user);
    if (claim) slots_.take(user);
    auto command = event ? webhooks::plan_command(entry.id, *event, webhooks::new_plan_ids(), limits_, claim)
                         : webhooks::plan_malformed_command(entry.id, user);
    auto published = entry_time_ms(entry.id).value_or(0);
    redis::evalsha_or_load(
        redis_, webhooks::engine_script_source(webhooks::engine_step::plan), std::move(command),
        [this, published, claim, user, id = entry.id](std::optional<redis::value> v) {
            auto r = v ? webhooks::read_plan_reply(*v) : std::nullopt;
            if (!r && v)
                log::error("plan step failed", {{"entry", id}, {"error", v->is_error() ? v->str : "unexpected reply"}});
            // No reply: left pending in the group, taken over (by any instance, this one too) after
            // --reclaim-after.
            if (r && r->status == webhooks::plan_status::planned && claim) {
                metrics_.events_planned.fetch_add(1, std::memory_order_relaxed);
                return send(std::move(r->job), published);
            }
            if (r && r->status == webhooks::plan_status::deferred) {
                metrics_.events_planned.fetch_add(1, std::memory_order_relaxed);
                more_due_ = true;
                if (slots_.free() > 0 && !claiming_) claim_later(std::chrono::milliseconds(0));
            }
            if (r && r->status == webhooks::plan_status::dropped) metrics_.dropped(r->drop_reason);
            if (claim) {
                slots_.release(user);
                slot_freed();
            }
        });
}

void delivery_engine::claim_later(std::chrono::milliseconds after) {
    if (stopped_) return;
    claim_timer_.expires_after(after);
    claim_timer_.async_wait([this](error_code e) {
        if (!e) claim();
    });
}

void delivery_engine::claim() {
    if (stopped_ || claiming_) return;
    if (!redis_.up() || !scripts_ready_ || runner_.unrecorded() > 0) return claim_later(claim_every);
    std::size_t n = 0;
    while (n < 256 && slots_.reserve()) ++n;
    if (n == 0) return claim_later(claim_every);
    claiming_ = true;
    auto command = webhooks::claim_command(n, ids::make_uuid7(), limits_, {slots_.max_per_webhook(), slots_.busy()});
    redis::evalsha_or_load(
        redis_, webhooks::engine_script_source(webhooks::engine_step::claim), std::move(command),
        [this, n](std::optional<redis::value> v) {
            claiming_ = false;
            auto r = v ? webhooks::read_claim_reply(*v) : std::nullopt;
            if (v && !r) log::error("claim step failed", {{"error", v->is_error() ? v->str : "unexpected reply"}});
            std::size_t got = r ? r->jobs.size() : 0;
            for (std::size_t i = got; i < n; ++i) slots_.unreserve();
            if (r) {
                metrics_.delivery("cancelled", r->cancelled);
                for (auto& job : r->jobs) {
                    slots_.assign(job.user_id);
                    auto due = job.scheduled_at;
                    send(std::move(job), due);
                }
            }
            // Unreserved slots are free for the reader too (it reads only while a slot is free).
            reader_.wake();
            // Some were due: more may be. Claim again now if slots freed meanwhile, else when one
            // frees (slot_freed) or at the next periodic claim.
            more_due_ = got > 0;
            claim_later(got > 0 && slots_.free() > 0 ? std::chrono::milliseconds(0)
                                                     : std::chrono::milliseconds(claim_every));
        });
}

void delivery_engine::send(webhooks::send_job job, std::int64_t due_ms) {
    auto user = job.user_id;
    runner_.run(std::move(job), due_ms, [this, user = std::move(user)] {
        slots_.release(user);
        slot_freed();
    });
}

void delivery_engine::slot_freed() {
    if (stopped_) return;
    reader_.wake();
    // What was left due for want of a slot (the instance or the webhook at its cap, a backlog of
    // retries) starts when a slot frees, not up to claim_every later.
    if (more_due_ && !claiming_) claim();
}

} // namespace ssegw::webhookd

#include "webhookd/attempt_runner.hpp"

#include "common/ids/uuid.hpp"
#include "common/log.hpp"
#include "common/redis/lua_script.hpp"
#include "common/time/iso8601.hpp"
#include "webhooks/delivery/delivery_target.hpp"
#include "webhooks/delivery/signed_request.hpp"

#include <ctime>
#include <variant>

namespace ssegw::webhookd {

struct attempt_runner::record {
    webhooks::send_job job;
    std::function<void()> done;
    webhooks::attempt_result result;
    std::vector<std::string> command;  // the complete step, kept for a resend after an outage
};

namespace {

// scheme://host[:port] as the URL writes it: the one part of a URL a log line may hold (paths and
// queries often carry tokens).
std::string origin_of(std::string const& url) {
    auto t = webhooks::parse_target(url);
    if (!t) return "?";
    return std::string(t->https ? "https://" : "http://") + t->host_header;
}

webhooks::completed_attempt completed(webhooks::attempt_result const& r) {
    webhooks::completed_attempt c;
    c.success = r.result == webhooks::outcome::success;
    c.http_status = r.status;
    c.response_time_ms = r.response_time_ms;
    c.response_body = r.response_body;
    if (!r.error_message.empty()) c.error_message = r.error_message;
    return c;
}

} // namespace

attempt_runner::attempt_runner(redis::client& redis, webhooks::sender& sender, webhooks::keyring const& keys,
                               retry_policy policy, webhooks::engine_limits limits, worker_metrics& metrics)
    : redis_(redis), sender_(sender), keys_(keys), policy_(policy), limits_(limits), metrics_(metrics) {}

void attempt_runner::run(webhooks::send_job job, std::int64_t due_ms, std::function<void()> done) {
    auto r = std::make_shared<record>();
    r->job = std::move(job);
    r->done = std::move(done);
    metrics_.lag(static_cast<double>(std::max<std::int64_t>(0, iso8601::now_ms() - due_ms)) / 1000.0);
    if (r->job.reclaimed) metrics_.reclaimed_attempts.fetch_add(1, std::memory_order_relaxed);
    send_signed(std::move(r));
}

void attempt_runner::send_signed(std::shared_ptr<record> r) {
    auto const& job = r->job;
    // Signed afresh on every attempt: receivers refuse stale timestamps.
    auto signed_req = webhooks::sign_request(
        keys_, {job.url, job.body, std::chrono::milliseconds(job.timeout_ms), job.type, job.delivery_id, job.event_id,
                job.user_id, job.secret, job.previous_secret, std::time(nullptr)});
    if (auto* refused = std::get_if<webhooks::attempt_result>(&signed_req)) return finish(std::move(r), std::move(*refused));
    sender_.send(std::get<webhooks::attempt_request>(std::move(signed_req)),
                 [this, r](webhooks::attempt_result result) { finish(r, std::move(result)); });
}

void attempt_runner::finish(std::shared_ptr<record> r, webhooks::attempt_result result) {
    auto const& job = r->job;
    std::int64_t delay = 0;
    std::string next_id;
    if (result.result != webhooks::outcome::success && job.attempt_number < job.max_attempts) {
        delay = policy_.delay_after(static_cast<unsigned>(job.attempt_number), result.retry_after).count();
        next_id = ids::make_uuid7();
    }
    r->command = webhooks::complete_command(job.record_id, job.token, completed(result), delay, next_id, limits_);
    r->result = std::move(result);
    store(std::move(r));
}

void attempt_runner::store(std::shared_ptr<record> r) {
    redis::evalsha_or_load(redis_, webhooks::engine_script_source(webhooks::engine_step::complete), r->command,
                           [this, r](std::optional<redis::value> v) {
                               if (!v) {
                                   // Redis is away: the result waits for it (flush), the slot stays held.
                                   waiting_.push_back(r);
                                   return;
                               }
                               auto c = webhooks::read_complete_reply(*v);
                               if (!c) {
                                   log::error("complete step failed", {{"error", v->is_error() ? v->str : "unexpected reply"},
                                                                        {"deliveryId", r->job.delivery_id}});
                                   c = webhooks::complete_result{};  // stale: the lease lapses and another tries
                               }
                               stored(*r, *c);
                           });
}

void attempt_runner::stored(record& r, webhooks::complete_result const& c) {
    using webhooks::completion;
    auto const& job = r.job;
    auto o = r.result.result;
    switch (c.what) {
    case completion::succeeded: metrics_.delivery("succeeded"); break;
    case completion::failed: metrics_.delivery("failed"); break;
    case completion::retry_scheduled: metrics_.retries_scheduled.fetch_add(1, std::memory_order_relaxed); break;
    case completion::stale: metrics_.stale_results.fetch_add(1, std::memory_order_relaxed); break;
    case completion::cancelled:
        o = webhooks::outcome::cancelled;
        metrics_.delivery("cancelled");
        break;
    }
    metrics_.attempt(o, static_cast<double>(r.result.response_time_ms) / 1000.0);
    if (!c.disabled_reason.empty()) {
        metrics_.disabled(c.disabled_reason);
        metrics_.delivery("cancelled", c.cancelled);
        log::warn("webhook_disabled", {{"userId", job.user_id}, {"webhookId", job.webhook_id},
                                       {"reason", c.disabled_reason}, {"cancelled", c.cancelled}});
    }
    if (log::enabled(log::level::info)) {
        nlohmann::json line{{"userId", job.user_id}, {"webhookId", job.webhook_id}, {"deliveryId", job.delivery_id},
                            {"eventId", job.event_id}, {"attempt", job.attempt_number},
                            {"outcome", webhooks::name_of(o)}, {"ms", r.result.response_time_ms},
                            {"origin", origin_of(job.url)}};
        line["status"] = r.result.status ? nlohmann::json(*r.result.status) : nlohmann::json();
        if (c.what == completion::stale) line["stale"] = true;
        log::info("attempt", std::move(line));
    }
    auto done = std::move(r.done);
    if (done) done();
}

void attempt_runner::flush() {
    auto batch = std::move(waiting_);
    waiting_.clear();
    for (auto& r : batch) store(std::move(r));
}

void attempt_runner::abandon() {
    auto batch = std::move(waiting_);
    waiting_.clear();
    for (auto& r : batch)
        if (r->done) std::exchange(r->done, nullptr)();
}

} // namespace ssegw::webhookd

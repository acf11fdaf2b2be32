// The delivery worker's atomic steps on Redis (plan, claim, complete, cancel, and the periodic
// maintain): their Lua scripts, the EVALSHA commands that run them, and readers of their replies.
#pragma once

#include "common/redis/value.hpp"
#include "webhooks/engine/event_body.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssegw::webhooks {

/// The worker's settings the steps apply (its --reclaim-after, --webhook-retention,
/// --disable-after-failures, --disable-after), in ms.
struct engine_limits {
    std::int64_t reclaim_after_ms = 30000;           // a claim's lease is the webhook's timeoutMs + this
    std::int64_t retention_ms = 2592000000;          // records, their index entries (+ 1 d for the keys)
    std::int64_t disable_after_failures = 100;       // 0 = never
    std::int64_t disable_after_ms = 432000000;       // 0 = never
};

enum class engine_step { plan, claim, complete, cancel, maintain };

/// The step's script: what SCRIPT LOAD needs when EVALSHA answers NOSCRIPT.
std::string_view engine_script_source(engine_step step);

/// What the sender needs for one attempt whose claim it holds.
struct send_job {
    std::string record_id;
    std::string token;                    // proves the claim to complete
    std::string url;                      // the webhook's current URL
    std::int64_t timeout_ms = 5000;       // the webhook's current timeoutMs
    std::string secret;                   // sealed
    std::string previous_secret;          // sealed; "" when none signs any more
    std::int64_t previous_secret_until = 0;
    std::string body;                     // the delivery's bytes
    std::string event_id, type, delivery_id, user_id, webhook_id, trigger;
    int attempt_number = 1;
    int max_attempts = 1;
    std::int64_t scheduled_at = 0;        // the due time (unix ms), for the lag histogram
    bool reclaimed = false;               // an earlier claim of it lapsed (sse_webhook_reclaimed_total)
};

// ---- plan: an entry read with XREADGROUP → dropped, or a delivery and its claimed first attempt

/// The ids a plan writes, made by the caller (UUIDv7s).
struct plan_ids {
    std::string delivery_id, record_id, token;
};
plan_ids new_plan_ids();

/// `claim`: the caller sends the first attempt at once; false leaves it due now (the caller is at
/// its per-webhook cap), for the claim step of whichever instance has room.
std::vector<std::string> plan_command(std::string const& entry_id, event_entry const& event, plan_ids const& ids,
                                      engine_limits const& limits, bool claim = true);
/// A malformed entry is only acknowledged (its drop is counted only if this instance did it).
std::vector<std::string> plan_malformed_command(std::string const& entry_id, std::string const& user_id);

enum class plan_status { planned, dropped, planned_elsewhere, deferred };
struct plan_result {
    plan_status status = plan_status::planned;
    std::string drop_reason;  // dropped: malformed, no_webhook, disabled, not_subscribed, filtered
    send_job job;             // planned
};
/// nullopt: not this script's reply (an error reply included).
std::optional<plan_result> read_plan_reply(redis::value const& v);

// ---- claim: due attempts (first attempts whose lease lapsed, retries) → send jobs

/// The caller's per-webhook cap (--max-in-flight-per-webhook; 0 = none) and its attempts in flight
/// per user (each user has one webhook): attempts of a webhook at the cap stay due.
struct claim_scope {
    std::size_t per_webhook = 0;
    std::vector<std::pair<std::string, std::size_t>> busy;
};

/// At most `max` due attempts; each claim's token is `token_base` + "." + a counter.
std::vector<std::string> claim_command(std::size_t max, std::string const& token_base, engine_limits const& limits,
                                       claim_scope const& scope = {});

struct claim_result {
    std::vector<send_job> jobs;
    std::int64_t cancelled = 0;  // attempts of a deleted, disabled or replaced webhook, now failed
};
std::optional<claim_result> read_claim_reply(redis::value const& v);

// ---- complete: the result of a claimed attempt

struct completed_attempt {
    bool success = false;  // a 2xx status
    std::optional<int> http_status;
    std::optional<std::int64_t> response_time_ms;
    std::optional<std::string> response_body;   // already cut to 4096 bytes at a UTF-8 boundary
    std::optional<std::string> error_message;   // "<outcome>: <detail>"
};

/// `retry_delay_ms`: when the next automatic attempt is due after this one, if one follows (the
/// jittered schedule or a capped Retry-After); `next_record_id` names it (a UUIDv7).
std::vector<std::string> complete_command(std::string const& record_id, std::string const& token,
                                          completed_attempt const& result, std::int64_t retry_delay_ms,
                                          std::string const& next_record_id, engine_limits const& limits);

enum class completion {
    succeeded,        // the delivery succeeded
    failed,           // the delivery ended failed (no attempt follows; when its webhook was deleted,
                      // disabled or replaced meanwhile, none follows either and nothing is counted)
    retry_scheduled,  // the attempt failed, the next one is pending
    stale,            // the claim had lapsed (token changed, or the record is gone): nothing stored
    cancelled,        // the attempt had been cancelled meanwhile: nothing stored
};
struct complete_result {
    completion what = completion::stale;
    std::string disabled_reason;     // "" or consecutive_failures / continuous_failure: the webhook was disabled
    std::int64_t cancelled = 0;      // pending attempts the disabling cancelled
    std::string next_record_id;      // retry_scheduled
    std::int64_t next_due_at = 0;    // retry_scheduled: unix ms
};
std::optional<complete_result> read_complete_reply(redis::value const& v);

// ---- cancel: every pending attempt of a user

enum class cancel_reason { deleted, disabled, replaced };
std::string_view cancel_reason_name(cancel_reason why);

std::vector<std::string> cancel_command(std::string const& user_id, cancel_reason why, engine_limits const& limits);
/// How many attempts were cancelled.
std::optional<std::int64_t> read_cancel_reply(redis::value const& v);

// ---- maintain: every few seconds, by any instance

/// Trims webhook:events to its oldest unacknowledged entry (or past the last one delivered), deletes
/// consumers idle `consumer_idle` with nothing pending (never `consumer`), and reads the gauges.
std::vector<std::string> maintain_command(std::chrono::milliseconds consumer_idle, std::string const& consumer);

struct maintain_result {
    std::int64_t trimmed = 0;
    std::int64_t lag = 0;        // entries no consumer has read yet
    std::int64_t pending = 0;    // read, not yet acknowledged (planned)
    std::int64_t scheduled = 0;  // ZCARD webhook:due
    std::int64_t consumers_deleted = 0;
};
std::optional<maintain_result> read_maintain_reply(redis::value const& v);

} // namespace ssegw::webhooks

// The two Redis steps of a test request (POST …/webhook/test): start (take the user's test lock,
// write the pending record and its delivery) and finish (store the result, release the lock, read
// the record back), each one Lua script, with readers of their replies.
#pragma once

#include "common/redis/value.hpp"
#include "webhooks/model/webhook_record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ssegw::webhooks::test_scripts {

/// The ids a test writes, made by the caller (UUIDv7s); `lock_token` proves the lock is ours.
struct test_ids {
    std::string lock_token, record_id, delivery_id, event_id;
};

/// Reads the webhook; takes `webhook:test:<userId>` (SET NX PX timeoutMs + 5000); writes the
/// delivery (body, type webhook_test) and its one attempt (pending, trigger test, attemptNumber =
/// maxAttempts = 1, final), indexed like every record and kept retention + 1 d. Nothing else of
/// the webhook is read or changed.
std::vector<std::string> start(std::string const& user_id, test_ids const& ids, std::int64_t retention_ms);

struct no_webhook {};
struct busy {
    std::int64_t lock_ms_left = 0;  // the other test's lock's PTTL
};
/// What the gateway sends, as the start step wrote it.
struct started {
    std::string url;
    std::int64_t timeout_ms = 5000;
    std::string secret;           // sealed
    std::string previous_secret;  // sealed; "" when none signs any more
    std::string webhook_id;
    std::int64_t at_ms = 0;       // the attempt's start (Redis TIME): X-SaaS-Timestamp, attemptedAt
    std::string body;             // {"id","type":"webhook_test","timestamp","data":{"webhookId","message"}}
};
using start_result = std::variant<no_webhook, busy, started>;
/// nullopt: not this script's reply (an error reply included).
std::optional<start_result> read_start(redis::value const& v);

/// How the attempt went, in the record's terms (the sender's result, or `internal` when the
/// secret did not open and nothing was sent).
struct result_fields {
    bool success = false;
    std::optional<int> http_status;
    std::int64_t response_time_ms = 0;
    std::optional<std::string> response_body;
    std::optional<std::string> error_message;
};

/// Completes the record in place (pending → success/failed, re-indexed) unless something cancelled
/// it meanwhile, releases the lock if it is still `lock_token`'s (compare-and-delete), and answers
/// the record's fields plus its delivery's `payload` (attempt_record::record_json's input).
std::vector<std::string> finish(std::string const& user_id, test_ids const& ids, result_fields const& r,
                                std::int64_t retention_ms);

/// The record's fields; nullopt if the reply is not a record (an error, or the record vanished).
std::optional<hash_fields> read_finish(redis::value const& v);

} // namespace ssegw::webhooks::test_scripts

// The delivery worker's Redis steps (webhooks/engine: plan, claim, complete, cancel) run as Lua
// scripts against a real redis-server, on entries published with the real publish script and read
// through the consumer group: every drop reason in order (nothing written for one), the records,
// the due set, the 8 index keys and their TTLs, claims and their tokens, results, retries, stale
// results, auto-disable (published on webhook:disabled), cancelling by claim and by the
// management API's delete and disable scripts, a PATCHed url reaching pending records, and the
// retention trim of the index.
#include "common/time/iso8601.hpp"
#include "tests/integration/webhook_engine_fixture.hpp"
#include "webhooks/engine/attempt_record.hpp"

#include <nlohmann/json.hpp>

namespace ssegw::it {
namespace {

using namespace engine_fixture;
using webhook_engine = webhook_engine_fixture;

TEST_F(webhook_engine, plan_drops_with_each_reason_in_order_and_writes_nothing) {
    auto expect_drop = [&](stream_entry const& e, char const* reason) {
        auto r = plan(e);
        EXPECT_EQ(r.status, wh::plan_status::dropped) << reason;
        EXPECT_EQ(r.drop_reason, reason);
    };
    // Another producer's entry with data that cannot be re-serialised: malformed before anything else.
    auto bad = redis().command({"XADD", keys::webhook_events, "*", "eventId", ids::make_uuid7(), "type",
                                "alert_triggered", "userId", user_, "deviceId", "", "sceneId", "", "ts", "1",
                                "data", R"({"a":1,"a":2})"});
    ASSERT_EQ(bad->type, REDIS_REPLY_STRING);
    expect_drop(read_one(), "malformed");
    expect_drop(publish(), "no_webhook");

    wh::webhook_changes c;
    c.enabled = false;
    c.subscribed_types = "node_online";
    c.filter = R"({"deviceIds":["cam-2"]})";
    create_webhook(c);
    expect_drop(publish(), "disabled");
    api_update(enabled(true));
    expect_drop(publish(), "not_subscribed");
    api_update(subscribed("alert_triggered node_online"));
    expect_drop(publish("cam-1"), "filtered");  // not in deviceIds
    expect_drop(publish(""), "filtered");       // no deviceId at all
    api_update(filtered_by(R"({"deviceIds":["cam-1"],"sceneIds":["s-1"]})"));
    expect_drop(publish("cam-1", ""), "filtered");  // both lists given: no sceneId fails
    expect_drop(publish("cam-1", "s-2"), "filtered");
    expect_drop(publish("cam-2", "s-1"), "filtered");

    EXPECT_EQ(count_keys("webhook:delivery:*"), 0);
    EXPECT_EQ(count_keys("webhook:attempt:*"), 0);
    EXPECT_EQ(count_keys("webhook:idx:*"), 0);
    EXPECT_EQ(redis().command({"ZCARD", keys::webhook_due})->integer, 0);
    auto pending = redis().command({"XPENDING", keys::webhook_events, keys::webhook_group});
    EXPECT_EQ(pending->element[0]->integer, 0) << "every entry acknowledged";

    EXPECT_EQ(plan(publish("cam-1", "s-1")).status, wh::plan_status::planned);
}

TEST_F(webhook_engine, plan_writes_the_delivery_its_claimed_first_attempt_the_due_set_and_8_index_keys) {
    limits_.reclaim_after_ms = 30000;
    wh::webhook_changes c;
    c.timeout_ms = 2000;
    c.max_retries = 2;
    auto webhook_id = create_webhook(c);
    auto e = publish("cam-1", "s/1", R"({"alertEventId":"ae-1","severity":"critical","n":1.50})");
    auto event = std::get<wh::event_entry>(wh::read_event(e.fields));
    auto ids = wh::new_plan_ids();
    auto before = redis_now();
    auto r = plan(e, ids);
    auto after = redis_now();
    ASSERT_EQ(r.status, wh::plan_status::planned);

    auto const& j = r.job;
    EXPECT_EQ(j.record_id, ids.record_id);
    EXPECT_EQ(j.token, ids.token);
    EXPECT_EQ(j.url, "https://hooks.example.com/in");
    EXPECT_EQ(j.timeout_ms, 2000);
    EXPECT_EQ(j.secret, "v1.test.sealed-secret");
    EXPECT_EQ(j.previous_secret, "");
    EXPECT_EQ(j.body, event.body);
    EXPECT_EQ(j.event_id, event.event_id);
    EXPECT_EQ(j.type, "alert_triggered");
    EXPECT_EQ(j.delivery_id, ids.delivery_id);
    EXPECT_EQ(j.user_id, user_);
    EXPECT_EQ(j.webhook_id, webhook_id);
    EXPECT_EQ(j.trigger, "automatic");
    EXPECT_EQ(j.attempt_number, 1);
    EXPECT_EQ(j.max_attempts, 3);
    EXPECT_FALSE(j.reclaimed);

    auto dkey = keys::webhook_delivery(ids.delivery_id);
    EXPECT_EQ(field(dkey, "eventId"), event.event_id);
    EXPECT_EQ(field(dkey, "type"), "alert_triggered");
    EXPECT_EQ(field(dkey, "userId"), user_);
    EXPECT_EQ(field(dkey, "webhookId"), webhook_id);
    EXPECT_EQ(field(dkey, "payload"), event.body);
    EXPECT_EQ(field(dkey, "deviceId"), "cam-1");
    EXPECT_EQ(field(dkey, "sceneId"), "s/1");
    EXPECT_EQ(field(dkey, "alertEventId"), "ae-1");
    EXPECT_EQ(field(dkey, "severity"), "critical");
    EXPECT_EQ(field(dkey, "maxAttempts"), "3");

    auto akey = keys::webhook_attempt(ids.record_id);
    auto created = to_ms(field(akey, "createdAt"));
    EXPECT_GE(created, before);
    EXPECT_LE(created, after);
    for (auto const& [name, want] : std::vector<std::pair<std::string, std::string>>{
             {"id", ids.record_id}, {"deliveryId", ids.delivery_id}, {"webhookUrl", "https://hooks.example.com/in"},
             {"notificationId", event.event_id}, {"notificationType", "alert_triggered"}, {"deviceId", "cam-1"},
             {"sceneId", "s/1"}, {"alertEventId", "ae-1"}, {"severity", "critical"}, {"status", "pending"},
             {"trigger", "automatic"}, {"attemptNumber", "1"}, {"maxAttempts", "3"}, {"isFinalAttempt", "0"},
             {"scheduledAt", std::to_string(created)}, {"token", ids.token}, {"webhookId", webhook_id},
             {"userId", user_}})
        EXPECT_EQ(field(akey, name), want) << name;
    for (char const* unset : {"httpStatusCode", "responseTimeMs", "responseBody", "errorMessage", "attemptedAt", "payload"})
        EXPECT_FALSE(has_field(akey, unset)) << unset;

    EXPECT_EQ(due_score(ids.record_id), created + 2000 + 30000) << "claimed by the planner: its lease";
    auto const day = 86400000LL, ttl = limits_.retention_ms + day;
    for (auto const& k : index_keys("pending", "cam-1", "s/1")) {
        auto score = redis().command({"ZSCORE", k, ids.record_id});
        ASSERT_EQ(score->type, REDIS_REPLY_STRING) << k;
        EXPECT_EQ(std::stoll(str(score.get())), created) << k;
        EXPECT_GT(pttl(k), ttl - 60000) << k;
        EXPECT_LE(pttl(k), ttl) << k;
    }
    EXPECT_EQ(count_keys("webhook:idx:*"), 8);
    EXPECT_TRUE(indexed(keys::webhook_index(user_, "pending", "63616d2d31", "732f31"), ids.record_id))
        << "ids as lowercase hex of their bytes";
    for (auto const& k : {dkey, akey}) {
        EXPECT_GT(pttl(k), ttl - 60000) << k;
        EXPECT_LE(pttl(k), ttl) << k;
    }

    // The record renders for the API, the payload byte for byte.
    auto fields = hash(akey);
    fields.emplace_back("payload", field(dkey, "payload"));
    auto record = wh::record_json(fields);
    EXPECT_NE(record.find("\"payload\":" + event.body + ","), std::string::npos) << record;
    auto parsed = nlohmann::json::parse(record);
    EXPECT_EQ(parsed["status"], "pending");
    EXPECT_EQ(parsed["createdAt"], iso8601::format_ms(created));
    EXPECT_TRUE(parsed["attemptedAt"].is_null());

    // The same entry planned again (another instance after XAUTOCLAIM): acknowledged already, stop.
    auto again = plan(e);
    EXPECT_EQ(again.status, wh::plan_status::planned_elsewhere);
    EXPECT_EQ(count_keys("webhook:attempt:*"), 1);
    EXPECT_EQ(count_keys("webhook:delivery:*"), 1);

    // Without a device or scene a record is only in the '*' keys of each: 4 distinct keys.
    auto bare = planned("", "");
    for (auto const& k : index_keys("pending", "", "")) EXPECT_TRUE(indexed(k, bare.record_id)) << k;
    EXPECT_FALSE(has_field(keys::webhook_attempt(bare.record_id), "deviceId"));
}

TEST_F(webhook_engine, claim_takes_due_attempts_with_a_new_token_and_a_new_lease) {
    limits_.reclaim_after_ms = 5000;
    wh::webhook_changes c;
    c.timeout_ms = 1000;
    create_webhook(c);
    auto first = planned();
    EXPECT_TRUE(claim().jobs.empty()) << "its lease runs";

    make_due(first.record_id);  // the planner died: the lease lapsed
    auto before = redis_now();
    auto r = claim(10, "base-1");
    ASSERT_EQ(r.jobs.size(), 1u);
    EXPECT_EQ(r.cancelled, 0);
    auto const& j = r.jobs[0];
    EXPECT_EQ(j.record_id, first.record_id);
    EXPECT_EQ(j.token, "base-1.1");
    EXPECT_NE(j.token, first.token);
    EXPECT_TRUE(j.reclaimed);
    EXPECT_EQ(j.body, first.body);
    EXPECT_EQ(j.attempt_number, 1);
    EXPECT_EQ(attempt(j.record_id, "token"), "base-1.1");
    auto score = due_score(j.record_id);
    ASSERT_TRUE(score);
    EXPECT_GE(*score, before + 1000 + 5000);
    EXPECT_LE(*score, redis_now() + 1000 + 5000);
    EXPECT_TRUE(claim().jobs.empty()) << "claimed again: not due";

    // The first holder's result comes late: discarded, nothing changes.
    auto attempt_before = hash(keys::webhook_attempt(first.record_id));
    auto webhook_before = hash(keys::webhook(user_));
    EXPECT_EQ(complete(first.record_id, first.token, failed()).what, wh::completion::stale);
    EXPECT_EQ(hash(keys::webhook_attempt(first.record_id)), attempt_before);
    EXPECT_EQ(hash(keys::webhook(user_)), webhook_before);
    EXPECT_EQ(due_score(j.record_id), score);
    EXPECT_EQ(complete("no-such-record", "t", ok()).what, wh::completion::stale);

    // At most n, the earliest due first.
    auto a = planned(), b = planned();
    make_due(a.record_id);
    make_due(b.record_id);
    EXPECT_EQ(claim(1).jobs.size(), 1u);
    EXPECT_EQ(claim(5).jobs.size(), 1u);

    // A claim sends with the webhook's secrets as they are now: the previous one only in its grace.
    auto webhook_key = keys::webhook(user_);
    redis().command({"HSET", webhook_key, "secret", "v1.test.new", "previousSecret", "v1.test.old",
                     "previousSecretUntil", std::to_string(redis_now() + 60000)});
    auto rotated = planned();
    EXPECT_EQ(rotated.secret, "v1.test.new");
    EXPECT_EQ(rotated.previous_secret, "v1.test.old");
    EXPECT_GT(rotated.previous_secret_until, redis_now());
    redis().command({"HSET", webhook_key, "previousSecretUntil", std::to_string(redis_now() - 1)});
    make_due(rotated.record_id);
    auto reclaimed = claim();
    ASSERT_EQ(reclaimed.jobs.size(), 1u);
    EXPECT_EQ(reclaimed.jobs[0].secret, "v1.test.new");
    EXPECT_EQ(reclaimed.jobs[0].previous_secret, "") << "its grace is over";
}

TEST_F(webhook_engine, a_planner_at_its_cap_leaves_the_first_attempt_due_and_claims_respect_the_cap) {
    create_webhook();
    auto before = redis_now();
    auto ids = wh::new_plan_ids();
    auto r = plan(publish(), ids, /*claimed=*/false);
    EXPECT_EQ(r.status, wh::plan_status::deferred);
    EXPECT_EQ(attempt(ids.record_id, "status"), "pending");
    EXPECT_EQ(attempt(ids.record_id, "token"), "") << "nobody holds it";
    auto score = due_score(ids.record_id);
    ASSERT_TRUE(score);
    EXPECT_GE(*score, before);
    EXPECT_LE(*score, redis_now()) << "due at once, for whoever has room";

    // Two more due: with this caller holding 1 of a cap of 2, only one more is taken.
    auto more = {plan(publish(), wh::new_plan_ids(), false), plan(publish(), wh::new_plan_ids(), false)};
    for (auto const& m : more) EXPECT_EQ(m.status, wh::plan_status::deferred);
    EXPECT_TRUE(claim(10, "c1", {2, {{user_, 2}}}).jobs.empty()) << "at its cap: everything stays due";
    EXPECT_EQ(claim(10, "c2", {2, {{user_, 1}}}).jobs.size(), 1u);
    EXPECT_EQ(claim(10, "c3", {1, {}}).jobs.size(), 1u) << "the cap counts what one claim takes, too";
    EXPECT_EQ(claim(10, "c4", {1, {}}).jobs.size(), 1u);
    EXPECT_TRUE(claim().jobs.empty());

    // A busy webhook's members are skipped, not taken, so another webhook's behind them are claimed.
    auto busy_user = user_;
    for (int i = 0; i < 3; ++i) plan(publish(), wh::new_plan_ids(), false);
    user_ = unique("other");
    create_webhook();
    auto other = plan(publish(), wh::new_plan_ids(), false);
    auto got = claim(10, "c5", {2, {{busy_user, 2}}});
    ASSERT_EQ(got.jobs.size(), 1u);
    EXPECT_EQ(got.jobs[0].user_id, user_);
}

TEST_F(webhook_engine, maintain_trims_what_every_consumer_acknowledged_and_reads_the_gauges) {
    create_webhook();
    auto maintain = [&] {
        auto v = run(wh::engine_step::maintain, wh::maintain_command(std::chrono::hours(1), "worker-1"));
        auto r = wh::read_maintain_reply(v);
        EXPECT_TRUE(r) << "not a maintain reply";
        return r.value_or(wh::maintain_result{});
    };
    auto a = publish();        // read, not yet planned: pending
    plan(publish());           // read and planned: acknowledged
    wh::publish_event(redis(), {ids::make_uuid7(), "alert_triggered", user_, "", "", "", "{}"}, 1000000);  // unread
    auto m = maintain();
    EXPECT_EQ(m.trimmed, 0) << "the oldest entry is still pending";
    EXPECT_EQ(m.pending, 1);
    EXPECT_EQ(m.lag, 1);
    EXPECT_EQ(m.scheduled, 1) << "the planned attempt";
    plan(a);
    m = maintain();
    EXPECT_EQ(m.trimmed, 2) << "both read entries are acknowledged; the unread one stays";
    EXPECT_EQ(m.pending, 0);
    auto len = redis().command({"XLEN", keys::webhook_events});
    EXPECT_EQ(len->integer, 1);

    // A consumer idle with nothing pending is deleted; a busy one and the caller are kept.
    redis().command({"XGROUP", "CREATECONSUMER", keys::webhook_events, keys::webhook_group, "gone"});
    auto d = wh::read_maintain_reply(
        run(wh::engine_step::maintain, wh::maintain_command(std::chrono::milliseconds(0), "worker-1")));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->consumers_deleted, 1);
    auto consumers = redis().command({"XINFO", "CONSUMERS", keys::webhook_events, keys::webhook_group});
    EXPECT_EQ(consumers->elements, 1u) << "worker-1 stays";
}

TEST_F(webhook_engine, success_resets_fail_count_and_clock_and_sets_last_delivery) {
    create_webhook();
    redis().command({"HSET", keys::webhook(user_), "failCount", "5", "failingSince", "1000"});
    auto j = planned("cam-1", "s-1");
    auto r = complete(j.record_id, j.token, ok());
    EXPECT_EQ(r.what, wh::completion::succeeded);
    EXPECT_EQ(r.disabled_reason, "");
    EXPECT_EQ(r.next_record_id, "");

    auto key = keys::webhook_attempt(j.record_id);
    EXPECT_EQ(field(key, "status"), "success");
    EXPECT_EQ(field(key, "httpStatusCode"), "200");
    EXPECT_EQ(field(key, "responseTimeMs"), "12");
    EXPECT_EQ(field(key, "responseBody"), "fine");
    EXPECT_FALSE(has_field(key, "errorMessage"));
    EXPECT_EQ(field(key, "isFinalAttempt"), "1");
    auto started = field(key, "attemptedAt");
    EXPECT_EQ(started, field(key, "claimedAt")) << "the attempt's start: when it was claimed";
    EXPECT_FALSE(due_score(j.record_id));
    for (auto const& k : status_keys("pending", "cam-1", "s-1")) EXPECT_FALSE(indexed(k, j.record_id)) << k;
    for (auto const& k : index_keys("success", "cam-1", "s-1")) EXPECT_TRUE(indexed(k, j.record_id)) << k;

    EXPECT_EQ(webhook("failCount"), "0");
    EXPECT_FALSE(has_field(keys::webhook(user_), "failingSince"));
    EXPECT_EQ(webhook("lastDeliveryAt"), started);
    EXPECT_EQ(webhook("lastTriggered"), started);

    EXPECT_EQ(complete(j.record_id, j.token, ok()).what, wh::completion::stale) << "a record gets one result";
}

TEST_F(webhook_engine, failures_schedule_retries_and_the_last_one_ends_the_delivery_failed) {
    wh::webhook_changes c;
    c.max_retries = 1;
    create_webhook(c);
    auto j = planned();
    EXPECT_EQ(j.max_attempts, 2);
    wh::webhook_changes more;
    more.max_retries = 5;
    api_update(more);  // applies to events planned afterwards only
    auto next_id = ids::make_uuid7();
    auto r = complete(j.record_id, j.token, failed(), 60000, next_id);
    EXPECT_EQ(r.what, wh::completion::retry_scheduled);
    EXPECT_EQ(r.next_record_id, next_id);

    auto first = keys::webhook_attempt(j.record_id);
    EXPECT_EQ(field(first, "status"), "failed");
    EXPECT_EQ(field(first, "errorMessage"), "http_status: 503");
    EXPECT_EQ(field(first, "responseBody"), "") << "an empty body is \"\", not null";
    EXPECT_EQ(field(first, "isFinalAttempt"), "0");
    EXPECT_EQ(webhook("failCount"), "0") << "the delivery has not ended";
    EXPECT_EQ(webhook("failingSince"), field(first, "attemptedAt")) << "the clock starts at the first failed attempt";

    auto second = keys::webhook_attempt(next_id);
    auto created = to_ms(field(second, "createdAt"));
    EXPECT_EQ(field(second, "status"), "pending");
    EXPECT_EQ(field(second, "attemptNumber"), "2");
    EXPECT_EQ(field(second, "maxAttempts"), "2");
    EXPECT_EQ(field(second, "isFinalAttempt"), "1") << "pending and the last allowed";
    EXPECT_EQ(field(second, "deliveryId"), j.delivery_id);
    EXPECT_EQ(field(second, "notificationId"), j.event_id);
    EXPECT_EQ(to_ms(field(second, "scheduledAt")), created + 60000);
    EXPECT_EQ(r.next_due_at, created + 60000);
    EXPECT_EQ(due_score(next_id), created + 60000);
    EXPECT_FALSE(has_field(second, "token"));
    for (auto const& k : index_keys("pending", "cam-1", "")) EXPECT_TRUE(indexed(k, next_id)) << k;
    EXPECT_TRUE(claim().jobs.empty()) << "not due for a minute";

    make_due(next_id);
    auto claimed = claim();
    ASSERT_EQ(claimed.jobs.size(), 1u);
    EXPECT_FALSE(claimed.jobs[0].reclaimed);
    EXPECT_EQ(claimed.jobs[0].attempt_number, 2);
    EXPECT_EQ(claimed.jobs[0].body, j.body);
    auto last = complete(next_id, claimed.jobs[0].token, {false, std::nullopt, 5000, std::nullopt,
                                                         std::string("timeout: no response within 5000 ms")});
    EXPECT_EQ(last.what, wh::completion::failed);
    EXPECT_EQ(last.next_record_id, "");
    EXPECT_EQ(field(second, "status"), "failed");
    EXPECT_EQ(field(second, "isFinalAttempt"), "1");
    EXPECT_FALSE(has_field(second, "httpStatusCode"));
    EXPECT_EQ(webhook("failCount"), "1");
    EXPECT_EQ(count_keys("webhook:attempt:*"), 2);
    EXPECT_EQ(redis().command({"ZCARD", keys::webhook_due})->integer, 0);
    EXPECT_EQ(redis().command({"ZCARD", keys::webhook_index(user_, "failed", "*", "*")})->integer, 2);
    EXPECT_EQ(redis().command({"ZCARD", keys::webhook_index(user_, "pending", "*", "*")})->integer, 0);
}

TEST_F(webhook_engine, auto_disable_by_count_publishes_and_cancels_pending_attempts) {
    limits_.disable_after_failures = 2;
    wh::webhook_changes c;
    c.max_retries = 0;
    auto webhook_id = create_webhook(c);
    auto listener = redis_server_->connect();
    listener->command({"SUBSCRIBE", keys::webhook_disabled_channel});
    ASSERT_TRUE(wait_subscribed(std::string(keys::webhook_disabled_channel)));

    auto a = planned(), b = planned(), pending = planned();
    auto ra = complete(a.record_id, a.token, failed());
    EXPECT_EQ(ra.what, wh::completion::failed);
    EXPECT_EQ(ra.disabled_reason, "");
    EXPECT_EQ(webhook("failCount"), "1");
    auto rb = complete(b.record_id, b.token, failed());
    EXPECT_EQ(rb.what, wh::completion::failed);
    EXPECT_EQ(rb.disabled_reason, "consecutive_failures");
    EXPECT_EQ(rb.cancelled, 1);

    EXPECT_EQ(webhook("enabled"), "0");
    EXPECT_EQ(webhook("disabledReason"), "consecutive_failures");
    EXPECT_EQ(webhook("failCount"), "2");
    auto disabled_at = to_ms(webhook("disabledAt"));
    EXPECT_GT(disabled_at, 0);
    expect_cancelled(pending.record_id, "disabled");
    EXPECT_EQ(complete(pending.record_id, pending.token, ok()).what, wh::completion::cancelled)
        << "an in-flight attempt's result after the cancel is not stored";
    EXPECT_EQ(field(keys::webhook_attempt(pending.record_id), "errorMessage"), "cancelled: webhook disabled");

    auto message = listener->get_reply();
    ASSERT_TRUE(message && message->type == REDIS_REPLY_ARRAY && message->elements == 3);
    EXPECT_EQ(str(message->element[0]), "message");
    auto notice = nlohmann::json::parse(str(message->element[2]));
    EXPECT_EQ(notice, (nlohmann::json{{"userId", user_}, {"webhookId", webhook_id}, {"reason", "consecutive_failures"},
                                       {"at", iso8601::format_ms(disabled_at)}}));
    EXPECT_TRUE(str(message->element[2]).starts_with(R"({"userId":)")) << "the contract's member order";

    // Disabled: new events are dropped; a re-enable clears the state.
    EXPECT_EQ(plan(publish()).drop_reason, "disabled");
    api_update(enabled(true));
    EXPECT_EQ(webhook("failCount"), "0");
    EXPECT_EQ(plan(publish()).status, wh::plan_status::planned);
}

TEST_F(webhook_engine, auto_disable_by_continuous_failure) {
    limits_.disable_after_failures = 0;  // never by count
    limits_.disable_after_ms = 3600000;
    wh::webhook_changes c;
    c.max_retries = 0;
    create_webhook(c);
    auto fresh = planned();
    EXPECT_EQ(complete(fresh.record_id, fresh.token, failed()).disabled_reason, "") << "the clock just started";
    redis().command({"HSET", keys::webhook(user_), "failingSince", std::to_string(redis_now() - 3600000)});
    auto late = planned();
    auto r = complete(late.record_id, late.token, failed());
    EXPECT_EQ(r.disabled_reason, "continuous_failure");
    EXPECT_EQ(webhook("disabledReason"), "continuous_failure");
    EXPECT_EQ(webhook("enabled"), "0");
}

TEST_F(webhook_engine, claim_cancels_attempts_of_a_deleted_disabled_or_replaced_webhook) {
    create_webhook();
    auto replaced = planned();
    make_due(replaced.record_id);
    redis().command({"HSET", keys::webhook(user_), "id", ids::make_uuid7()});  // DELETE + POST, as another id
    auto r = claim();
    EXPECT_TRUE(r.jobs.empty());
    EXPECT_EQ(r.cancelled, 1);
    expect_cancelled(replaced.record_id, "replaced");

    auto disabled = planned();
    make_due(disabled.record_id);
    redis().command({"HSET", keys::webhook(user_), "enabled", "0"});
    EXPECT_EQ(claim().cancelled, 1);
    expect_cancelled(disabled.record_id, "disabled");

    redis().command({"HSET", keys::webhook(user_), "enabled", "1"});
    auto deleted = planned();
    make_due(deleted.record_id);
    redis().command({"DEL", keys::webhook(user_)});
    EXPECT_EQ(claim().cancelled, 1);
    expect_cancelled(deleted.record_id, "deleted");
    EXPECT_TRUE(redis().command({"EXISTS", keys::webhook_delivery(deleted.delivery_id)})->integer) << "the log stays";
}

TEST_F(webhook_engine, the_apis_delete_and_disable_cancel_pending_attempts) {
    create_webhook();
    auto in_flight = planned(), waiting = planned();
    redis().command({"ZADD", keys::webhook_due, "9999999999999", waiting.record_id});
    api_update(enabled(false));
    EXPECT_EQ(webhook("disabledReason"), "manual");
    expect_cancelled(in_flight.record_id, "disabled");
    expect_cancelled(waiting.record_id, "disabled");
    EXPECT_EQ(redis().command({"ZCARD", keys::webhook_due})->integer, 0);

    api_update(enabled(true));
    auto pending = planned();
    auto r = redis().command(wh::scripts::remove(user_));
    EXPECT_EQ(r->integer, 1);
    expect_cancelled(pending.record_id, "deleted");
    EXPECT_EQ(count_keys("webhook:attempt:*"), 3) << "the log stays";
    EXPECT_EQ(redis().command({"ZCARD", keys::webhook_index(user_, "failed", "*", "*")})->integer, 3);

    // An API write with nothing pending cancels nothing and keeps working as before.
    create_webhook();
    api_update(enabled(false));
    EXPECT_EQ(redis().command(wh::scripts::remove(user_))->integer, 1);
    EXPECT_EQ(redis().command(wh::scripts::remove(user_))->integer, 0);
}

TEST_F(webhook_engine, a_patched_url_reaches_pending_attempts_not_yet_claimed) {
    create_webhook();
    auto in_flight = planned(), failing = planned();
    auto retry_id = ids::make_uuid7();
    EXPECT_EQ(complete(failing.record_id, failing.token, failed(), 60000, retry_id).what,
              wh::completion::retry_scheduled);
    api_update(moved_to("https://new.example.com/in"));
    EXPECT_EQ(attempt(retry_id, "webhookUrl"), "https://new.example.com/in");
    EXPECT_EQ(attempt(in_flight.record_id, "webhookUrl"), "https://hooks.example.com/in") << "sent to the old one";
    EXPECT_EQ(attempt(failing.record_id, "webhookUrl"), "https://hooks.example.com/in") << "ended: where it went";
    make_due(in_flight.record_id);
    auto r = claim();
    ASSERT_EQ(r.jobs.size(), 1u);
    EXPECT_EQ(r.jobs[0].url, "https://new.example.com/in");
    EXPECT_EQ(attempt(in_flight.record_id, "webhookUrl"), "https://new.example.com/in");
}

TEST_F(webhook_engine, each_index_write_trims_members_older_than_the_retention) {
    limits_.retention_ms = 600000;  // 10 min
    create_webhook();
    auto old = planned("cam-1", "s-1");
    auto const ancient = std::to_string(redis_now() - 600001);
    for (auto const& k : index_keys("pending", "cam-1", "s-1")) redis().command({"ZADD", k, ancient, old.record_id});
    auto kept = planned("cam-1", "");  // shares the '*' scene keys with the old record
    for (auto const& k : index_keys("pending", "cam-1", "")) {
        EXPECT_FALSE(indexed(k, old.record_id)) << k;
        EXPECT_TRUE(indexed(k, kept.record_id)) << k;
        EXPECT_GT(pttl(k), 600000 + 86400000 - 60000) << k;
        EXPECT_LE(pttl(k), 600000 + 86400000) << k;
    }
    // Keys this write did not touch keep the old member until their next write.
    EXPECT_TRUE(indexed(keys::webhook_index(user_, "pending", keys::webhook_index_part("cam-1"),
                                            keys::webhook_index_part("s-1")),
                        old.record_id));
    EXPECT_LE(pttl(keys::webhook_attempt(old.record_id)), 600000 + 86400000);

    // The API's cancel, which is given no retention, trims with the one each record was written with.
    redis().command({"ZADD", keys::webhook_index(user_, "failed", "*", "*"), ancient, "gone-long-ago"});
    api_update(enabled(false));
    EXPECT_FALSE(indexed(keys::webhook_index(user_, "failed", "*", "*"), "gone-long-ago"));
    EXPECT_TRUE(indexed(keys::webhook_index(user_, "failed", "*", "*"), kept.record_id));
}

} // namespace
} // namespace ssegw::it

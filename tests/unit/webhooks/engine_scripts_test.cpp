// webhooks/engine/engine_scripts without Redis: each step's EVALSHA command (its script's SHA1,
// keys, arguments in the order the script reads them) and the readers of every reply shape,
// refusing anything else. The scripts themselves run in tests/integration/webhook_engine_test.
#include "webhooks/engine/engine_scripts.hpp"

#include "common/redis/lua_script.hpp"

#include "tests/unit/support/redis_values.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wh = ssegw::webhooks;
using ssegw::redis::value;
using namespace ssegw::test_values;
using strings = std::vector<std::string>;

namespace {

value job_value() {
    std::vector<value> e;
    for (char const* s : {"rec-1", "tok-1", "https://h.example/in", "5000", "v1.k.sealed", "v1.k.old", "1769682605123",
                          R"({"id":"e"})", "evt-1", "alert_triggered", "del-1", "u1", "wh-1", "automatic", "2", "4",
                          "1769682600000", "1"})
        e.push_back(str(s));
    return arr(std::move(e));
}

} // namespace

TEST(engine_scripts, commands_name_their_scripts_by_sha1) {
    wh::engine_limits l;
    wh::event_entry e;
    e.user_id = "u1";
    for (auto [step, cmd] : std::vector<std::pair<wh::engine_step, strings>>{
             {wh::engine_step::plan, wh::plan_command("1-0", e, wh::new_plan_ids(), l)},
             {wh::engine_step::claim, wh::claim_command(8, "base", l)},
             {wh::engine_step::complete, wh::complete_command("r", "t", {}, 1000, "n", l)},
             {wh::engine_step::cancel, wh::cancel_command("u1", wh::cancel_reason::deleted, l)}}) {
        ASSERT_GE(cmd.size(), 3u);
        EXPECT_EQ(cmd[0], "EVALSHA");
        EXPECT_EQ(cmd[1], ssegw::redis::script_sha1(wh::engine_script_source(step)));
    }
}

TEST(engine_scripts, plan_arguments_in_order) {
    wh::event_entry e{"evt-1", "alert_triggered", "u1", "cam-1", "", 5, "BODY", std::string("ae-1"), std::nullopt};
    wh::engine_limits l{30000, 86400000, 100, 432000000};
    auto c = wh::plan_command("7-1", e, {"del-1", "rec-1", "tok-1"}, l);
    EXPECT_EQ(strings(c.begin() + 2, c.end()),
              (strings{"3", "webhook:events", "webhook:u1", "webhook:due", "7-1", "BODY", "evt-1", "alert_triggered",
                       "u1", "cam-1", "", "=ae-1", "", "del-1", "rec-1", "tok-1", "30000", "86400000", "1"}));
    auto deferred = wh::plan_command("7-1", e, {"del-1", "rec-1", "tok-1"}, l, false);
    EXPECT_EQ(deferred.back(), "0") << "at the caller's per-webhook cap: left due, not claimed";
    auto m = wh::plan_malformed_command("7-1", "u1");
    EXPECT_EQ(m.size(), c.size());
    EXPECT_EQ(m[6], "7-1");
    EXPECT_EQ(m[7], "") << "an empty body: acknowledge only";
    auto ids = wh::new_plan_ids();
    EXPECT_NE(ids.delivery_id, ids.record_id);
    EXPECT_NE(ids.record_id, ids.token);
}

TEST(engine_scripts, complete_arguments_in_order) {
    wh::completed_attempt r{false, 503, 42, std::string(""), std::string("http_status: 503")};
    auto c = wh::complete_command("rec-1", "tok-1", r, 60000, "rec-2", {30000, 1000, 100, 0});
    EXPECT_EQ(strings(c.begin() + 2, c.end()), (strings{"1", "webhook:due", "rec-1", "tok-1", "failed", "503", "42", "=",
                                                        "=http_status: 503", "60000", "rec-2", "100", "0", "1000"}));
    auto none = wh::complete_command("rec-1", "tok-1", {true, std::nullopt, std::nullopt, std::nullopt, std::nullopt}, 0,
                                     "", {});
    EXPECT_EQ(none[6], "success");
    EXPECT_EQ(none[7], "");
    EXPECT_EQ(none[9], "") << "null, unlike the empty body above";
}

TEST(engine_scripts, claim_and_cancel_arguments) {
    auto c = wh::claim_command(16, "base", {30000, 1000, 100, 0});
    EXPECT_EQ(strings(c.begin() + 2, c.end()), (strings{"1", "webhook:due", "16", "base", "30000", "1000", "0", "16"}))
        << "no cap: looks at no more members than it may take";
    auto capped = wh::claim_command(16, "base", {30000, 1000, 100, 0}, {2, {{"u1", 2}, {"u2", 1}}});
    EXPECT_EQ(strings(capped.begin() + 8, capped.end()), (strings{"2", "192", "u1", "2", "u2", "1"}))
        << "with a cap: looks further (members at the cap are skipped), then the busy webhooks";
    auto x = wh::cancel_command("u1", wh::cancel_reason::replaced, {30000, 1000, 100, 0});
    EXPECT_EQ(strings(x.begin() + 2, x.end()), (strings{"1", "webhook:u1", "replaced", "1000"}));
}

TEST(engine_scripts, read_plan_reply) {
    auto elsewhere = wh::read_plan_reply(arr({str("elsewhere")}));
    ASSERT_TRUE(elsewhere);
    EXPECT_EQ(elsewhere->status, wh::plan_status::planned_elsewhere);
    auto dropped = wh::read_plan_reply(arr({str("dropped"), str("filtered")}));
    ASSERT_TRUE(dropped);
    EXPECT_EQ(dropped->status, wh::plan_status::dropped);
    EXPECT_EQ(dropped->drop_reason, "filtered");
    auto planned = wh::read_plan_reply(arr({str("planned"), job_value()}));
    ASSERT_TRUE(planned);
    EXPECT_EQ(planned->status, wh::plan_status::planned);
    auto const& j = planned->job;
    EXPECT_EQ(j.record_id, "rec-1");
    EXPECT_EQ(j.token, "tok-1");
    EXPECT_EQ(j.url, "https://h.example/in");
    EXPECT_EQ(j.timeout_ms, 5000);
    EXPECT_EQ(j.secret, "v1.k.sealed");
    EXPECT_EQ(j.previous_secret, "v1.k.old");
    EXPECT_EQ(j.previous_secret_until, 1769682605123);
    EXPECT_EQ(j.body, R"({"id":"e"})");
    EXPECT_EQ(j.event_id, "evt-1");
    EXPECT_EQ(j.type, "alert_triggered");
    EXPECT_EQ(j.delivery_id, "del-1");
    EXPECT_EQ(j.user_id, "u1");
    EXPECT_EQ(j.webhook_id, "wh-1");
    EXPECT_EQ(j.trigger, "automatic");
    EXPECT_EQ(j.attempt_number, 2);
    EXPECT_EQ(j.max_attempts, 4);
    EXPECT_EQ(j.scheduled_at, 1769682600000);
    EXPECT_TRUE(j.reclaimed);

    value err;
    err.type = value::kind::error;
    err.str = "ERR oops";
    EXPECT_FALSE(wh::read_plan_reply(err));
    EXPECT_FALSE(wh::read_plan_reply(arr({})));
    EXPECT_FALSE(wh::read_plan_reply(arr({str("planned"), arr({str("rec-1")})})));
    EXPECT_FALSE(wh::read_plan_reply(arr({str("dropped")})));
    auto bad_number = job_value();
    bad_number.elements[3] = str("5s");
    EXPECT_FALSE(wh::read_plan_reply(arr({str("planned"), bad_number})));
}

TEST(engine_scripts, read_claim_reply) {
    auto r = wh::read_claim_reply(arr({arr({job_value(), job_value()}), num(3)}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->jobs.size(), 2u);
    EXPECT_EQ(r->cancelled, 3);
    auto none = wh::read_claim_reply(arr({arr({}), num(0)}));
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->jobs.empty());
    EXPECT_FALSE(wh::read_claim_reply(arr({arr({str("x")}), num(0)})));
    EXPECT_FALSE(wh::read_claim_reply(num(0)));
}

TEST(engine_scripts, read_complete_reply) {
    auto stale = wh::read_complete_reply(arr({str("stale")}));
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->what, wh::completion::stale);
    auto cancelled = wh::read_complete_reply(arr({str("cancelled")}));
    ASSERT_TRUE(cancelled);
    EXPECT_EQ(cancelled->what, wh::completion::cancelled);
    auto retry = wh::read_complete_reply(
        arr({str("done"), str("retry_scheduled"), str(""), num(0), str("rec-2"), str("1769682665123")}));
    ASSERT_TRUE(retry);
    EXPECT_EQ(retry->what, wh::completion::retry_scheduled);
    EXPECT_EQ(retry->next_record_id, "rec-2");
    EXPECT_EQ(retry->next_due_at, 1769682665123);
    auto disabled =
        wh::read_complete_reply(arr({str("done"), str("failed"), str("consecutive_failures"), num(2), str(""), str("")}));
    ASSERT_TRUE(disabled);
    EXPECT_EQ(disabled->what, wh::completion::failed);
    EXPECT_EQ(disabled->disabled_reason, "consecutive_failures");
    EXPECT_EQ(disabled->cancelled, 2);
    EXPECT_FALSE(wh::read_complete_reply(arr({str("done"), str("maybe"), str(""), num(0), str(""), str("")})));
    EXPECT_FALSE(wh::read_complete_reply(arr({str("done"), str("failed")})));
}

TEST(engine_scripts, read_cancel_reply) {
    EXPECT_EQ(wh::read_cancel_reply(num(4)), 4);
    EXPECT_FALSE(wh::read_cancel_reply(str("4")));
}

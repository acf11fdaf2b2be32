// sse-webhookd under faults, each run compared event by event with what was published: an instance
// killed with SIGKILL mid-delivery, two instances sharing the work, a Redis restart with AOF, and a
// receiver down for longer than two retries. Duplicates may happen; a lost event may not.
#include "common/redis/keys.hpp"
#include "tests/integration/webhookd_fixture.hpp"
#include "webhooks/events/publish_event_script.hpp"

#include <map>
#include <set>

namespace ssegw::it {
namespace {

namespace keys = redis::keys;
namespace wh = webhooks;
using strings = std::vector<std::string>;

class webhookd_fault : public webhookd_fixture {
protected:
    /// A webhook with a 1 s timeout (a lease of 2 s with --reclaim-after 1) and 5 retries.
    void create(std::string const& user, std::string url) {
        wh::webhook_changes c;
        c.timeout_ms = 1000;
        c.max_retries = 5;
        create_webhook(user, std::move(url), c);
    }

    std::string publish(std::string const& user) {
        auto id = ids::make_uuid7();
        auto out = wh::publish_event(redis(), {id, "alert_triggered", user, "", "", "", R"({"n":1})"}, 1000000);
        EXPECT_EQ(out.status, wh::publish_status::added) << out.error;
        published_.insert(id);
        users_.insert(user);
        return id;
    }

    /// Every delivery ended in success (one success record each, nothing pending).
    bool all_succeeded() {
        long long ok = 0, pending = 0;
        for (auto const& u : users_) {
            ok += redis().command({"ZCARD", keys::webhook_index(u, "success", "*", "*")})->integer;
            pending += redis().command({"ZCARD", keys::webhook_index(u, "pending", "*", "*")})->integer;
        }
        return pending == 0 && ok == static_cast<long long>(published_.size());
    }

    /// Waits until every delivery succeeded, then compares what `rx` got with what was published,
    /// event by event; returns how many duplicates arrived (same delivery id and body as the first).
    std::size_t expect_every_event_delivered(webhook_receiver const& rx, deadline d = in(20s)) {
        EXPECT_TRUE(poll_until(d, [&] { return all_succeeded(); })) << "deliveries did not all succeed";
        std::set<std::string> seen;
        for (auto const& r : rx.requests()) seen.insert(header(r, "webhook-id"));
        for (auto const& id : published_) EXPECT_TRUE(seen.count(id)) << "lost: " << id;
        std::map<std::string, received_request> first;
        std::size_t duplicates = 0;
        for (auto const& r : rx.requests()) {
            auto id = header(r, "webhook-id");
            EXPECT_TRUE(published_.count(id)) << "never published: " << id;
            auto [it, fresh] = first.emplace(id, r);
            if (fresh) continue;
            ++duplicates;
            EXPECT_EQ(header(r, "X-SaaS-Delivery-Id"), header(it->second, "X-SaaS-Delivery-Id"));
            EXPECT_EQ(r.body, it->second.body);
        }
        return duplicates;
    }

    std::set<std::string> published_, users_;
};

TEST_F(webhookd_fault, kill_9_mid_delivery_loses_nothing) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_delay(300ms));
    auto user = unique("u");
    create(user, rx.url());
    auto& a = start({}, "wd-killed");
    for (int i = 0; i < 30; ++i) publish(user);
    ASSERT_TRUE(rx.wait_requests(3, in(10s)));
    a.kill_now();  // with attempts in flight and entries read but not planned
    auto sent_before = rx.requests().size();
    rx.reply_with(receiver_reply{});
    start({}, "wd-survivor");
    auto dup = expect_every_event_delivered(rx);
    EXPECT_GT(dup, 0u) << "the killed instance's attempts in flight were sent again once their leases lapsed";
    std::cerr << "kill -9 after " << sent_before << " requests: " << dup << " duplicates\n";
}

TEST_F(webhookd_fault, two_instances_never_send_one_attempt_twice) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_status(500));  // every first attempt fails: retries go through claims
    strings users{unique("a"), unique("b"), unique("c")};
    for (auto const& u : users) create(u, rx.url());
    auto& a = start({}, "wd-a");
    auto& b = start({}, "wd-b");
    for (int i = 0; i < 30; ++i) publish(users[static_cast<std::size_t>(i) % users.size()]);
    ASSERT_TRUE(rx.wait_requests(30, in(10s)));
    rx.reply_with(receiver_reply{});
    EXPECT_EQ(expect_every_event_delivered(rx), 30u) << "exactly one retry each";
    // Every attempt record has exactly one request: none was sent by both instances.
    std::size_t records = 0;
    for (auto const& u : users)
        records += static_cast<std::size_t>(redis().command({"ZCARD", keys::webhook_index(u, "*", "*", "*")})->integer);
    EXPECT_EQ(records, rx.requests().size());
    EXPECT_EQ(records, 60u);
    EXPECT_NE(a.log().find("\"msg\":\"attempt\""), std::string::npos) << "both instances took part";
    EXPECT_NE(b.log().find("\"msg\":\"attempt\""), std::string::npos) << "both instances took part";
}

class webhookd_fault_aof : public webhookd_fault {
protected:
    webhookd_fault_aof() { persistent_redis_ = true; }
};

TEST_F(webhookd_fault_aof, a_redis_crash_and_restart_with_aof_loses_nothing) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_delay(200ms));
    auto user = unique("u");
    create(user, rx.url());
    auto& w = start();
    for (int i = 0; i < 20; ++i) publish(user);
    ASSERT_TRUE(rx.wait_requests(2, in(10s)));
    redis_server_->crash();  // attempts in flight: their results wait for Redis
    ASSERT_TRUE(w.wait_readyz(503, in(5s)));
    redis_server_->start_again();
    redis_client_ = redis_server_->connect();
    ASSERT_TRUE(w.wait_readyz(200, in(15s)));
    for (int i = 0; i < 10; ++i) publish(user);
    expect_every_event_delivered(rx);
}

TEST_F(webhookd_fault, a_receiver_outage_longer_than_two_retries_loses_nothing) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_status(503));
    auto user = unique("u");
    create(user, rx.url());
    start();
    for (int i = 0; i < 10; ++i) publish(user);
    ASSERT_TRUE(rx.wait_requests(30, in(10s))) << "three attempts each while it is down";
    rx.reply_with(receiver_reply{});
    expect_every_event_delivered(rx);
}

} // namespace
} // namespace ssegw::it

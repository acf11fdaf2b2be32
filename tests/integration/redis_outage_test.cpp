// Redis unavailable or blipping (docs/OPERATIONS.md): 503 (+ the EventSource form) while it is
// down, open streams survive and receive again after it is back, no event lost across a subscriber drop.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

namespace ssegw::it {
namespace {

class redis_outage : public gateway_test {
protected:
    void seed() {
        user_ = unique("u");
        dev_ = unique("d");
        key_ = new_user(user_, {dev_});
    }
    // Stops Redis and waits until the gateway says it is not ready.
    void take_redis_down(gateway& gw) {
        redis_client_.reset();
        redis_server_->stop();
        ASSERT_TRUE(gw.wait_readyz(503, in(10s))) << "/readyz did not turn 503 within 10 s of Redis stopping";
    }
    // Restarts Redis (empty: no persistence), re-seeds, waits for /readyz 200.
    void bring_redis_back(gateway& gw) {
        redis_server_->restart();
        redis_client_ = redis_server_->connect();
        add_device(redis(), user_, dev_);
        create_key(redis(), key_, {.user = user_});
        ASSERT_TRUE(gw.wait_readyz(200, in(15s))) << "/readyz did not return to 200 within 15 s of Redis restarting";
    }
    std::string user_, dev_, key_;
};

TEST_F(redis_outage, new_streams_get_503_while_redis_is_down) {
    auto& gw = start_gateway();
    seed();
    ASSERT_NO_FATAL_FAILURE(take_redis_down(gw));
    auto r = http_get(gw.port(), device_path(dev_), bearer(key_));
    EXPECT_TRUE(is_error(r, 503, "SERVICE_UNAVAILABLE"));
    EXPECT_TRUE(has_retry_after(r.head));
    EXPECT_EQ(http_get(gw.port(), "/healthz").status(), 200);
}

TEST_F(redis_outage, event_source_gets_503_as_an_event_stream) {
    auto& gw = start_gateway();
    seed();
    ASSERT_NO_FATAL_FAILURE(take_redis_down(gw));
    sse_client c(gw.port(), all_path(), bearer_es(key_));
    EXPECT_TRUE(is_event_stream_refusal(c, "SERVICE_UNAVAILABLE"));
}

TEST_F(redis_outage, open_stream_survives_a_restart_and_receives_again) {
    auto& gw = start_gateway({"--keepalive-interval", "0.5"});
    seed();
    auto s = open_stream(gw.port(), device_path(dev_), bearer(key_));
    auto all = open_stream(gw.port(), all_path(), bearer(key_));
    ASSERT_NO_FATAL_FAILURE(take_redis_down(gw));
    auto before = s->keepalive_count();
    EXPECT_TRUE(s->read_until(in(3s), [&] { return s->keepalive_count() >= before + 2; }))
        << "keepalives stopped while Redis was down\n" << s->describe();
    EXPECT_FALSE(s->ended()) << s->describe();
    ASSERT_NO_FATAL_FAILURE(bring_redis_back(gw));
    // New streams are accepted again, old ones receive.
    auto fresh = open_stream(gw.port(), device_path(dev_), bearer(key_));
    auto ids = pub().publish(user_, dev_, result_json(dev_, 1));
    auto e = next_event(*s);
    EXPECT_EQ(e.id, ids.device_id);
    EXPECT_EQ(e.data, result_json(dev_, 1));
    EXPECT_EQ(next_event(*all).id, ids.user_id);
    EXPECT_EQ(next_event(*fresh).id, ids.device_id);
}

TEST_F(redis_outage, subscriber_connection_drop_loses_no_event) {
    auto& gw = start_gateway();
    seed();
    auto s = open_stream(gw.port(), device_path(dev_), bearer(key_));
    auto all = open_stream(gw.port(), all_path(), bearer(key_));
    auto first = pub().publish(user_, dev_, result_json(dev_, 0));
    ASSERT_EQ(next_event(*s).id, first.device_id);
    ASSERT_EQ(next_event(*all).id, first.user_id);

    // Kill the gateway's subscribed connection and publish at once: these reach the logs while the gateway
    // is (most likely) not subscribed; after resubscribing it must fill the gap from the logs.
    redis().command({"CLIENT", "KILL", "TYPE", "pubsub"});
    std::vector<std::string> batch;
    for (int i = 1; i <= 5; ++i) batch.push_back(result_json(dev_, i));
    auto ids = pub().publish_many(user_, dev_, batch);
    // Once it is subscribed again, one live event: it must come after the gap's five, not instead of them.
    ASSERT_TRUE(wait_subscribed("analysis:device:" + dev_, 1, in(10s))) << "the gateway did not resubscribe";
    ASSERT_TRUE(wait_subscribed("analysis:user:" + user_, 1, in(10s))) << "the gateway did not resubscribe";
    ids.push_back(pub().publish(user_, dev_, result_json(dev_, 6)));
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto e = next_event(*s, in(5s));
        EXPECT_EQ(e.id, ids[i].device_id) << "device stream, event #" << i + 1 << " of 1..6 (6 = live after resubscribe)";
        EXPECT_EQ(e.data, result_json(dev_, static_cast<int>(i) + 1));
        auto a = next_event(*all, in(5s));
        EXPECT_EQ(a.id, ids[i].user_id) << "all-stream, event #" << i + 1 << " of 1..6";
        if (e.id != ids[i].device_id) break;
    }
}

} // namespace
} // namespace ssegw::it

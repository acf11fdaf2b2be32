// The per-user stream cap across instances sharing one Redis (docs/API.md, Stream lifetime):
// 429 with Retry-After, the EventSource form, slots freed on close and by lease expiry of a dead instance,
// a live instance's leases refreshed, thousands of them for one user included.
#include "common/redis/keys.hpp"
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

#include <thread>

namespace ssegw::it {
namespace {

class conn_limit : public gateway_test {
protected:
    void seed() {
        user_ = unique("u");
        dev_ = unique("d");
        key_ = new_user(user_, {dev_});
    }
    // A request that must be refused with 429.
    ::testing::AssertionResult refused(std::uint16_t port, std::string const& path) {
        sse_client c(port, path, bearer(key_));
        std::string body = c.read_body(in(5s));
        auto r = is_error(c.status(), c.head(), body, 429, "TOO_MANY_CONNECTIONS");
        if (!r) return r;
        return has_retry_after(c.head());
    }
    // Polls until a stream on `port` is accepted; the accepted stream is returned (null on timeout).
    std::unique_ptr<sse_client> accepted_by(std::uint16_t port, deadline d, int* attempts = nullptr) {
        std::unique_ptr<sse_client> got;
        poll_until(d, [&] {
            if (attempts) ++*attempts;
            auto c = std::make_unique<sse_client>(port, device_path(dev_), bearer(key_));
            if (c->status() != 200) return false;
            got = std::move(c);
            return true;
        }, 50ms);
        return got;
    }
    std::string user_, dev_, key_;
};

TEST_F(conn_limit, cap_counts_streams_on_all_instances) {
    auto& a = start_gateway({"--max-conns-per-user", "3"});
    auto& b = start_gateway({"--max-conns-per-user", "3"});
    seed();
    auto s1 = open_stream(a.port(), device_path(dev_), bearer(key_));
    auto s2 = open_stream(a.port(), all_path(), bearer(key_));
    auto s3 = open_stream(b.port(), device_path(dev_), bearer(key_));
    EXPECT_TRUE(refused(a.port(), device_path(dev_)));
    EXPECT_TRUE(refused(b.port(), all_path()));
    // Another user is not affected.
    auto other_user = unique("u-other");
    auto other_dev = unique("d-other");
    auto other_key = new_user(other_user, {other_dev});
    auto o1 = open_stream(b.port(), device_path(other_dev), bearer(other_key));
    // Refused attempts took no slot; the open streams still work.
    auto ids = pub().publish(user_, dev_, result_json(dev_, 1));
    EXPECT_EQ(next_event(*s1).id, ids.device_id);
    EXPECT_EQ(next_event(*s2).id, ids.user_id);
    EXPECT_EQ(next_event(*s3).id, ids.device_id);
}

TEST_F(conn_limit, event_source_gets_the_refusal_as_an_event_stream) {
    auto& a = start_gateway({"--max-conns-per-user", "1"});
    seed();
    auto s1 = open_stream(a.port(), device_path(dev_), bearer(key_));
    sse_client c(a.port(), device_path(dev_), bearer_es(key_));
    EXPECT_TRUE(is_event_stream_refusal(c, "TOO_MANY_CONNECTIONS"));
    // Without the Accept header: the plain status.
    EXPECT_TRUE(refused(a.port(), device_path(dev_)));
}

TEST_F(conn_limit, closing_a_stream_frees_its_slot_at_once) {
    auto& a = start_gateway({"--max-conns-per-user", "3"});
    auto& b = start_gateway({"--max-conns-per-user", "3"});
    seed();
    auto s1 = open_stream(a.port(), device_path(dev_), bearer(key_));
    auto s2 = open_stream(a.port(), all_path(), bearer(key_));
    auto s3 = open_stream(b.port(), device_path(dev_), bearer(key_));
    ASSERT_TRUE(refused(b.port(), device_path(dev_)));
    s1->close();
    auto t0 = clock::now();
    int attempts = 0;
    auto s4 = accepted_by(b.port(), in(3s), &attempts);
    ASSERT_TRUE(s4) << "slot not freed within 3 s of closing a stream on the other instance";
    EXPECT_LE(seconds_since(t0), 1.5) << "freeing took " << attempts << " attempts";
    // Full again.
    EXPECT_TRUE(refused(a.port(), device_path(dev_)));
    EXPECT_TRUE(refused(b.port(), device_path(dev_)));
}

TEST_F(conn_limit, streams_ended_by_the_server_free_their_slots) {
    auto& a = start_gateway({"--max-conns-per-user", "1", "--idle-timeout", "1"});
    seed();
    auto s1 = open_stream(a.port(), device_path(dev_), bearer(key_));
    ASSERT_TRUE(s1->wait_end(in(5s))) << s1->describe();
    auto s2 = accepted_by(a.port(), in(2s));
    EXPECT_TRUE(s2) << "the idle-closed stream kept its slot";
}

TEST_F(conn_limit, killed_instance_slots_expire_with_the_lease_ttl) {
    auto& a = start_gateway({"--max-conns-per-user", "2", "--lease-ttl", "3"});
    auto& b = start_gateway({"--max-conns-per-user", "2", "--lease-ttl", "3"});
    seed();
    auto s1 = open_stream(a.port(), device_path(dev_), bearer(key_));
    auto s2 = open_stream(a.port(), all_path(), bearer(key_));
    ASSERT_TRUE(refused(b.port(), device_path(dev_)));
    a.kill_now();
    auto t0 = clock::now();
    auto s3 = accepted_by(b.port(), in(8s));
    ASSERT_TRUE(s3) << "the SIGKILLed instance's slots were not freed within 8 s (--lease-ttl 3)";
    EXPECT_LE(seconds_since(t0), 6.0);
    // Both of its slots are free: one more fits, then the cap holds again.
    auto s4 = accepted_by(b.port(), in(2s));
    EXPECT_TRUE(s4);
    EXPECT_TRUE(refused(b.port(), device_path(dev_)));
}

TEST_F(conn_limit, live_instance_keeps_its_slots_past_the_lease_ttl) {
    // Leases of a running instance are refreshed: its streams still count after several TTLs.
    auto& a = start_gateway({"--max-conns-per-user", "1", "--lease-ttl", "2", "--keepalive-interval", "0.5"});
    auto& b = start_gateway({"--max-conns-per-user", "1", "--lease-ttl", "2"});
    seed();
    auto s1 = open_stream(a.port(), device_path(dev_), bearer(key_));
    s1->read_until(in(5s), [] { return false; });  // 2.5 lease TTLs
    ASSERT_FALSE(s1->ended()) << s1->describe();
    EXPECT_TRUE(refused(b.port(), device_path(dev_)));
}

TEST_F(conn_limit, every_lease_of_a_user_with_thousands_of_streams_is_refreshed) {
    // More leases than one refresh script takes (1,000): every chunk must be renewed.
    auto& a = start_gateway({"--max-conns-per-user", "5000", "--lease-ttl", "2", "--threads", "1"});
    seed();
    std::vector<std::unique_ptr<sse_client>> streams;
    for (int i = 0; i < 1500; ++i) streams.push_back(open_stream(a.port(), device_path(dev_), bearer(key_)));
    auto leases = redis::keys::user_leases(user_);
    ASSERT_EQ(redis().command({"ZCARD", leases})->integer, 1500);
    auto redis_now_ms = [&] {
        auto t = redis().command({"TIME"});
        return std::stoll(t->element[0]->str) * 1000 + std::stoll(t->element[1]->str) / 1000;
    };
    // 2.5 lease TTLs: without a refresh every lease would have expired.
    std::this_thread::sleep_for(5s);
    auto now = redis_now_ms();
    EXPECT_EQ(redis().command({"ZCOUNT", leases, std::to_string(now), "+inf"})->integer, 1500)
        << "leases still in force";
    EXPECT_EQ(redis().command({"ZCARD", leases})->integer, 1500);
}

} // namespace
} // namespace ssegw::it

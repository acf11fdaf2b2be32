// Stream lifetime timers (docs/API.md): keepalive comments on a quiet stream, the idle timeout
// (keepalives are not events), decimal durations.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

namespace ssegw::it {
namespace {

class lifetime : public gateway_test {
protected:
    void seed() {
        user_ = unique("u");
        dev_ = unique("d");
        key_ = new_user(user_, {dev_});
    }
    std::string user_, dev_, key_;
};

TEST_F(lifetime, quiet_stream_gets_keepalive_comments_every_interval) {
    auto& gw = start_gateway({"--keepalive-interval", "1"});
    seed();
    auto s = open_stream(gw.port(), device_path(dev_), bearer(key_));
    auto t0 = clock::now();
    ASSERT_TRUE(s->read_until(in(6s), [&] { return s->keepalive_count() >= 3; }))
        << s->keepalive_count() << " keepalives after " << seconds_since(t0) << " s\n" << s->describe();
    // About every second: three of them cannot come much faster than 2 s.
    EXPECT_GE(seconds_since(t0), 1.8) << s->describe();
    EXPECT_NE(s->body().find("\n\n: keepalive\n\n"), std::string::npos) << s->describe();
    EXPECT_FALSE(s->ended());
    EXPECT_EQ(s->buffered_events(), 0u);
    // The stream still delivers events between keepalives.
    auto ids = pub().publish(user_, dev_, result_json(dev_, 1));
    EXPECT_EQ(next_event(*s).id, ids.device_id);
}

TEST_F(lifetime, quiet_stream_ends_cleanly_at_idle_timeout_despite_keepalives) {
    auto& gw = start_gateway({"--idle-timeout", "2", "--keepalive-interval", "0.5"});
    seed();
    auto s = open_stream(gw.port(), device_path(dev_), bearer(key_));
    auto t0 = clock::now();
    ASSERT_TRUE(s->wait_end(in(6s))) << "still open after " << seconds_since(t0) << " s\n" << s->describe();
    auto took = seconds_since(t0);
    EXPECT_GE(took, 1.5) << "closed long before the 2 s idle timeout\n" << s->describe();
    EXPECT_LE(took, 4.0) << s->describe();
    EXPECT_GE(s->keepalive_count(), 2u) << "keepalives expected before the idle close\n" << s->describe();
    // Cleanly: the terminating chunk, then EOF, no reset.
    EXPECT_TRUE(s->saw_last_chunk()) << s->describe();
    EXPECT_TRUE(s->wait_eof(in(2s))) << s->describe();
    EXPECT_FALSE(s->saw_reset());
    EXPECT_TRUE(s->decoder().excess().empty()) << "bytes after the last chunk: " << s->decoder().excess();
}

TEST_F(lifetime, stream_with_regular_events_outlives_the_idle_timeout) {
    auto& gw = start_gateway({"--idle-timeout", "2", "--keepalive-interval", "0.5"});
    seed();
    auto s = open_stream(gw.port(), device_path(dev_), bearer(key_));
    auto all = open_stream(gw.port(), all_path(), bearer(key_));
    auto t0 = clock::now();
    int n = 0;
    // One event every 0.5 s for 4 s: twice the idle timeout.
    while (seconds_since(t0) < 4.0) {
        auto next = clock::now() + 500ms;
        auto ids = pub().publish(user_, dev_, result_json(dev_, ++n));
        auto e = next_event(*s);
        EXPECT_EQ(e.id, ids.device_id);
        EXPECT_EQ(next_event(*all).id, ids.user_id);
        ASSERT_FALSE(s->ended()) << "ended after " << seconds_since(t0) << " s with events every 0.5 s\n"
                                 << s->describe();
        s->read_until(next, [] { return false; });  // pace, while reading what arrives
        all->read_until(clock::now(), [] { return false; });
    }
    EXPECT_FALSE(s->ended()) << s->describe();
    EXPECT_FALSE(all->ended()) << all->describe();
    // Then silence: now it ends.
    auto t1 = clock::now();
    EXPECT_TRUE(s->wait_end(in(5s))) << s->describe();
    EXPECT_GE(seconds_since(t1), 1.0) << s->describe();
}

TEST_F(lifetime, decimal_idle_timeout_is_accepted) {
    auto& gw = start_gateway({"--idle-timeout", "1.5", "--keepalive-interval", "0.25"});
    seed();
    auto s = open_stream(gw.port(), all_path(), bearer(key_));
    auto t0 = clock::now();
    ASSERT_TRUE(s->wait_end(in(5s))) << s->describe();
    auto took = seconds_since(t0);
    EXPECT_GE(took, 1.0) << s->describe();
    EXPECT_LE(took, 3.5) << s->describe();
    EXPECT_GE(s->keepalive_count(), 2u) << s->describe();
}

} // namespace
} // namespace ssegw::it

// Delivery through Redis faults (docs/OPERATIONS.md: "a Redis blip loses no event"):
// real redis-server (persistent: AOF, fsync always), real sse-gateway, a publisher running flat out on its
// own connection. Mid-stream, Redis's client connections are killed (CLIENT KILL TYPE pubsub / normal) or
// redis-server itself is restarted (SIGTERM, or SIGKILL) on the same port with the same data. Every open
// stream must then hold exactly its channel's log (XRANGE) after the last entry logged before it opened: every event, in
// order, once — compared id by id, with event name and data.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/traffic.hpp"

#include <iostream>
#include <set>

namespace ssegw::it {
namespace {

class fault;

// One fault scenario: its name (the test's) and the fixture's member that injects it.
struct fault_case {
    char const* name;
    void (fault::*inject)(gateway&, flat_out_publisher&);
};

// GoogleTest (and so ctest's test list) shows a case by its name.
void PrintTo(fault_case const& c, std::ostream* os) { *os << c.name; }

class fault : public gateway_test, public ::testing::WithParamInterface<fault_case> {
public:
    static std::vector<fault_case> cases() {
        return {{"client_kill_pubsub", &fault::kill_pubsub_3x},
                {"subscriber_killed_again_while_its_gap_is_read", &fault::kill_pubsub_as_soon_as_resubscribed},
                {"client_kill_normal", &fault::kill_normal_3x},
                {"client_kill_pubsub_and_normal_together", &fault::kill_pubsub_and_normal_2x},
                {"redis_restart", &fault::restart_redis},
                {"redis_crash_and_restart", &fault::crash_and_restart_redis}};
    }

protected:
    fault() { persistent_redis_ = true; }

    // A user with two devices and one logged result each, published before the streams open: what each
    // stream must receive is its whole log after that entry.
    void seed() {
        user_ = unique("u");
        d1_ = unique("d1");
        d2_ = unique("d2");
        key_ = new_user(user_, {d1_, d2_});
        seed1_ = redis::publish_result(redis(), d1_, user_, result_json(d1_, -1), 100000);
        seed2_ = redis::publish_result(redis(), d2_, user_, result_json(d2_, -1), 100000);
    }
    struct watched {
        std::unique_ptr<stream_reader> reader;
        std::string log_key;
        std::string after;  // the last log entry before it opened
    };
    // Two streams of d1, one of d2, one all-stream, each read on its own thread. They open fresh (no
    // Last-Event-ID): a new stream is live once its head and retry: arrived, so it must get everything
    // published after that. (Resuming streams race their replay against live events: that boundary is
    // reconnect_loop_test.cpp's subject; here it would blur which fault lost or doubled an event.)
    void open_streams(gateway& gw) {
        auto d = in(14s);
        auto add = [&](std::string const& target, std::string const& log, std::string const& after, std::string name) {
            streams_.push_back(
                {std::make_unique<stream_reader>(open_stream(gw.port(), target, bearer(key_)), d, name), log, after});
        };
        add(device_path(d1_), "analysis:device:" + d1_ + ":log", seed1_.device_id, "device " + d1_ + " #1");
        add(device_path(d1_), "analysis:device:" + d1_ + ":log", seed1_.device_id, "device " + d1_ + " #2");
        add(device_path(d2_), "analysis:device:" + d2_ + ":log", seed2_.device_id, "device " + d2_);
        add(all_path(), "analysis:user:" + user_ + ":log", seed2_.user_id, "all-stream of " + user_);
        // One result per device that every stream must get before the publisher starts (they are live);
        // it is part of the compared logs.
        redis::publish_result(redis(), d1_, user_, result_json(d1_, -2), 100000);
        redis::publish_result(redis(), d2_, user_, result_json(d2_, -2), 100000);
        for (std::size_t i = 0; i < streams_.size(); ++i) {
            auto& r = *streams_[i].reader;
            ASSERT_TRUE(poll_until(in(5s), [&] { return r.count() >= (i == 3 ? 2u : 1u); }, 5ms))
                << r.name() << " did not receive the warm-up result within 5 s";
        }
    }
    std::unique_ptr<flat_out_publisher> start_publisher() {
        return std::make_unique<flat_out_publisher>(redis_server_->endpoint(), result_traffic(user_, {d1_, d2_}));
    }
    // A connection to Redis, waiting (bounded) for it to answer after a restart.
    std::unique_ptr<redis::sync_client> reconnect() {
        std::unique_ptr<redis::sync_client> c;
        poll_until(in(10s), [&] {
            try {
                c = redis_server_->connect();
                return c->command({"PING"}) != nullptr;
            } catch (std::exception const&) {
                c.reset();
                return false;
            }
        });
        if (!c) throw std::runtime_error("Redis did not answer within 10 s");
        return c;
    }
    // Waits for the publisher, publishes one last result per device (d2 last: the all-stream's last entry),
    // lets every reader run until it has that id, then compares each stream with its log.
    void finish_and_verify(gateway& gw, flat_out_publisher& p, std::string const& what) {
        p.join();
        redis_client_ = reconnect();
        auto last1 = redis::publish_result(redis(), d1_, user_, result_json(d1_, 1000000), 100000);
        auto last2 = redis::publish_result(redis(), d2_, user_, result_json(d2_, 1000001), 100000);
        streams_[0].reader->set_target(last1.device_id);
        streams_[1].reader->set_target(last1.device_id);
        streams_[2].reader->set_target(last2.device_id);
        streams_[3].reader->set_target(last2.user_id);
        for (auto& s : streams_) s.reader->join();

        // The acknowledged results are all in the logs (persistence held across the fault).
        auto d1_log = log_entries(redis(), "analysis:device:" + d1_ + ":log", "-");
        std::set<std::string> in_log;
        for (auto const& e : d1_log) in_log.insert(e.id);
        auto d2_log = log_entries(redis(), "analysis:device:" + d2_ + ":log", "-");
        for (auto const& e : d2_log) in_log.insert(e.id);
        std::size_t lost_acked = 0;
        for (auto const& a : p.acknowledged_results()) lost_acked += in_log.count(a.ids.device_id) ? 0 : 1;
        EXPECT_EQ(lost_acked, 0u) << "acknowledged results missing from the logs after " << what
                                  << " (the test's Redis lost data, not the gateway)";

        std::cout << "[ fault    ] " << what << ": " << p.acknowledged() << " results acknowledged, " << p.failures()
                  << " publishes failed, in " << p.seconds() << " s; logs hold " << d1_log.size() << " + "
                  << d2_log.size() << " entries; reconnects_total=" << reconnects(gw) << "\n";
        for (auto& s : streams_) {
            auto want = log_entries(redis(), s.log_key, s.after);
            auto const& got = s.reader->events();
            std::cout << "[ fault    ]   " << s.reader->name() << ": received " << got.size() << ", log holds "
                      << want.size() << " after " << s.after << "\n";
            EXPECT_TRUE(s.reader->error().empty()) << s.reader->name() << ": " << s.reader->error();
            EXPECT_FALSE(s.reader->client().ended())
                << s.reader->name() << " ended during " << what << "\n" << s.reader->client().describe(2000);
            EXPECT_TRUE(s.reader->reached_target())
                << s.reader->name() << " never received the last entry of its log within the deadline";
            EXPECT_TRUE(same_sequence(got, want)) << s.reader->name() << " after " << what;
        }
    }
    // Kills the gateway's connections of `type` `times` times while the publisher runs, waiting for
    // the gateway to be ready again (resubscribed, gaps filled) before the next kill.
    void kill_connections(gateway& gw, flat_out_publisher& p, std::string const& type, int times) {
        for (int k = 1; k <= times; ++k) {
            ASSERT_TRUE(p.wait_acknowledged(p.acknowledged() + 150, in(4s)))
                << "publisher stalled at " << p.acknowledged() << " (" << p.last_error() << ")";
            auto before = reconnects(gw);
            auto r = redis().command({"CLIENT", "KILL", "TYPE", type});
            ASSERT_TRUE(r && r->type == REDIS_REPLY_INTEGER);
            EXPECT_GE(r->integer, 1) << "CLIENT KILL TYPE " << type << " killed nothing";
            std::cout << "[ fault    ] CLIENT KILL TYPE " << type << " #" << k << " at " << p.acknowledged()
                      << " acknowledged: " << r->integer << " connections\n";
            ASSERT_NO_FATAL_FAILURE(wait_recovered(gw, before, "kill #" + std::to_string(k)));
        }
    }
    double reconnects(gateway& gw) { return scrape(gw.port(), "sse_gateway_redis_reconnects_total").value_or(-1); }
    // /readyz may still say 200 before the gateway has read the EOF of a killed connection: wait for
    // the reconnect to be counted (the gateway was not ready from then on) and then for 200.
    void wait_recovered(gateway& gw, double reconnects_before, std::string const& what) {
        ASSERT_TRUE(poll_until(in(10s), [&] { return reconnects(gw) > reconnects_before; }, 5ms))
            << "the gateway did not notice " << what << " within 10 s";
        ASSERT_TRUE(gw.wait_readyz(200, in(10s))) << "/readyz not back to 200 within 10 s of " << what;
    }

    // The faults, one per case: each runs while the publisher is flat out and sets what_ (what it did,
    // for the messages). Their set-up (gateway, seeded user, four open streams, publisher) and their
    // check (finish_and_verify) are the test's, the same for all.
    void kill_pubsub_3x(gateway& gw, flat_out_publisher& p) {
        what_ = "3 x CLIENT KILL TYPE pubsub";
        ASSERT_NO_FATAL_FAILURE(kill_connections(gw, p, "pubsub", 3));
    }
    void kill_pubsub_as_soon_as_resubscribed(gateway&, flat_out_publisher& p) {
        // Each kill lands as soon as the new subscriber connection holds all four subscriptions
        // (apikey:revoked and the three channels), i.e. while the gap fills' log reads are in flight:
        // an answer to a read made before a loss must not pass for the later subscription's gap.
        ASSERT_TRUE(p.wait_acknowledged(150, in(4s))) << p.last_error();
        int kills = 0;
        for (int k = 1; k <= 4; ++k) {
            bool hit = poll_until(in(10s), [&] {
                auto r = redis().command({"CLIENT", "LIST", "TYPE", "pubsub"});
                if (!r || r->type != REDIS_REPLY_STRING) return false;
                std::string list(r->str, r->len);
                if (list.find(" sub=4 ") == std::string::npos) return false;
                auto killed = redis().command({"CLIENT", "KILL", "TYPE", "pubsub"});
                return killed && killed->type == REDIS_REPLY_INTEGER && killed->integer >= 1;
            }, 1ms);
            ASSERT_TRUE(hit) << "the gateway did not subscribe again within 10 s of kill #" << kills;
            ++kills;
        }
        what_ = std::to_string(kills) + " x CLIENT KILL TYPE pubsub, each as soon as it resubscribed";
    }
    void kill_normal_3x(gateway& gw, flat_out_publisher& p) {
        // Kills the gateway's command connection (leases, auth, log reads) and the publisher's connection.
        what_ = "3 x CLIENT KILL TYPE normal";
        ASSERT_NO_FATAL_FAILURE(kill_connections(gw, p, "normal", 3));
    }
    void kill_pubsub_and_normal_2x(gateway& gw, flat_out_publisher& p) {
        what_ = "2 x CLIENT KILL TYPE pubsub + normal";
        for (int k = 1; k <= 2; ++k) {
            ASSERT_TRUE(p.wait_acknowledged(p.acknowledged() + 150, in(4s))) << p.last_error();
            // Back to back: the gap fill after resubscribing runs on a command connection that was just cut.
            auto before = reconnects(gw);
            redis().command({"CLIENT", "KILL", "TYPE", "pubsub"});
            redis().command({"CLIENT", "KILL", "TYPE", "normal"});
            ASSERT_NO_FATAL_FAILURE(wait_recovered(gw, before, "kill #" + std::to_string(k)));
        }
    }
    void restart_redis(gateway& gw, flat_out_publisher& p) { bounce_redis(gw, p, false); }
    void crash_and_restart_redis(gateway& gw, flat_out_publisher& p) { bounce_redis(gw, p, true); }
    // redis-server stopped mid-stream and started again on the same port and AOF: SIGTERM, or SIGKILL
    // (no shutdown; the AOF, fsync always, has every acknowledged write).
    void bounce_redis(gateway& gw, flat_out_publisher& p, bool crash) {
        what_ = crash ? "redis-server SIGKILL + restart" : "redis-server restart (SIGTERM)";
        ASSERT_TRUE(p.wait_acknowledged(300, in(4s))) << p.last_error();
        redis_client_.reset();
        if (crash) {
            redis_server_->crash();
            redis_server_->start_again();
        } else {
            redis_server_->restart();
        }
        std::cout << "[ fault    ] redis-server " << (crash ? "killed and started again" : "restarted") << " at "
                  << p.acknowledged() << " acknowledged\n";
        redis_client_ = reconnect();
        EXPECT_TRUE(gw.wait_readyz(200, in(10s))) << "/readyz not back to 200 within 10 s of the restart";
        EXPECT_TRUE(p.wait_acknowledged(p.acknowledged() + 150, in(4s)))
            << "publisher did not resume after the restart: " << p.last_error();
    }

    std::string user_, d1_, d2_, key_;
    std::string what_;
    redis::published_ids seed1_, seed2_;
    std::vector<watched> streams_;
};

// Every fault mid-stream, with the same streams, publisher and check: nothing lost, doubled or reordered.
TEST_P(fault, mid_stream_loses_nothing) {
    auto& gw = start_gateway();
    seed();
    ASSERT_NO_FATAL_FAILURE(open_streams(gw));
    auto p = start_publisher();
    ASSERT_NO_FATAL_FAILURE((this->*GetParam().inject)(gw, *p));
    finish_and_verify(gw, *p, what_);
}

INSTANTIATE_TEST_SUITE_P(redis, fault, ::testing::ValuesIn(fault::cases()),
                         [](::testing::TestParamInfo<fault_case> const& c) { return std::string(c.param.name); });

} // namespace
} // namespace ssegw::it

// Resume under load (docs/API.md, Resume): while a publisher runs flat out, clients
// disconnect after a random number of events (0..40) and reconnect with the id of the last event they got
// as Last-Event-ID (header and lastEventId query parameter, alternately), again and again. Each client's
// concatenated id sequence must equal its channel's log (XRANGE) after the id it started from: no gap, no
// duplicate, no reordering across dozens of reconnects racing the publisher.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/traffic.hpp"

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

namespace ssegw::it {
namespace {

class reconnect_loop : public gateway_test {
protected:
    struct looper {
        std::string name;
        std::string path;     // stream path, no query
        std::string log_key;  // its channel's log
        std::string after;    // the id it starts from (a seed entry)
        unsigned seed = 0;
        // Results, read after the thread ended.
        std::vector<received_event> got;
        int connects = 0;
        int max_replay_wait_ms = 0;
        std::string error;
        std::thread thread;
    };

    // Reconnects in a loop until it has received `target_` (set once publishing is over) or the deadline.
    void run(looper& l, std::uint16_t port, deadline end) {
        std::mt19937 rng(l.seed);
        std::uniform_int_distribution<int> take(0, 40);
        std::string last = l.after;
        auto done = [&] {
            if (!targets_set_.load(std::memory_order_acquire)) return false;
            return last == targets_.at(l.name);
        };
        try {
            while (!done() && clock::now() < end) {
                auto headers = bearer(key_);
                std::string path = l.path;
                if (l.connects % 2 == 0) headers.emplace_back("Last-Event-ID", last);
                else path += "?lastEventId=" + last;
                sse_client c(port, path, headers, std::min(end, in(5s)));
                ++l.connects;
                if (c.status() != 200) {
                    c.read_body(in(1s));
                    l.error = "reconnect #" + std::to_string(l.connects) + " with Last-Event-ID " + last +
                              " was refused:\n" + c.describe(1000);
                    return;
                }
                std::string const sent_last = last;
                int want = take(rng);
                auto t0 = clock::now();
                for (int n = 0; n < want && !done(); ++n) {
                    auto e = c.read_event(std::min(end, in(3s)));
                    if (!e) break;  // quiet (publisher between runs) or ended: reconnect
                    if (n == 0)
                        l.max_replay_wait_ms = std::max(
                            l.max_replay_wait_ms,
                            static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0)
                                                 .count()));
                    l.got.push_back({e->id, e->event, e->data,
                                     "connect #" + std::to_string(l.connects) + " event #" + std::to_string(n) +
                                         " Last-Event-ID " + sent_last});
                    if (e->event == "analysis_result") last = e->id;
                }
                c.close();
            }
            if (!done()) l.error = "did not reach the last entry of its log by the deadline (last id " + last + ")";
        } catch (std::exception const& e) {
            l.error = std::string("after ") + std::to_string(l.connects) + " connects: " + e.what();
        }
    }

    std::string user_, d1_, d2_, key_;
    std::map<std::string, std::string> targets_;
    std::atomic<bool> targets_set_{false};
};

TEST_F(reconnect_loop, every_reconnecting_client_gets_the_whole_log_in_order_once) {
    auto& gw = start_gateway();
    user_ = unique("u");
    d1_ = unique("d1");
    d2_ = unique("d2");
    key_ = new_user(user_, {d1_, d2_});
    auto seed1 = redis::publish_result(redis(), d1_, user_, result_json(d1_, -1), 100000);
    auto seed2 = redis::publish_result(redis(), d2_, user_, result_json(d2_, -1), 100000);

    std::vector<std::unique_ptr<looper>> loopers;
    auto add = [&](std::string name, std::string path, std::string log, std::string after, unsigned s) {
        auto l = std::make_unique<looper>();
        l->name = std::move(name);
        l->path = std::move(path);
        l->log_key = std::move(log);
        l->after = std::move(after);
        l->seed = s;
        loopers.push_back(std::move(l));
    };
    add("device-1a", device_path(d1_), "analysis:device:" + d1_ + ":log", seed1.device_id, 11);
    add("device-1b", device_path(d1_), "analysis:device:" + d1_ + ":log", seed1.device_id, 12);
    add("device-2", device_path(d2_), "analysis:device:" + d2_ + ":log", seed2.device_id, 13);
    add("all", all_path(), "analysis:user:" + user_ + ":log", seed2.user_id, 14);

    auto t0 = clock::now();
    flat_out_publisher p(redis_server_->endpoint(), result_traffic(user_, {d1_, d2_}));

    // About 75 reconnects per client: a second or two here, but a TSan gateway on a loaded 2-core
    // machine takes up to 300 ms per reconnect. The loop ends as soon as every client is done.
    auto end = in(45s);
    for (auto& l : loopers) l->thread = std::thread([&, lp = l.get()] { run(*lp, gw.port(), end); });
    struct joiner {
        std::vector<std::unique_ptr<looper>>& ls;
        ~joiner() {
            for (auto& l : ls)
                if (l->thread.joinable()) l->thread.join();
        }
    } join_all{loopers};

    p.join();
    auto last1 = redis::publish_result(redis(), d1_, user_, result_json(d1_, 1000000), 100000);
    auto last2 = redis::publish_result(redis(), d2_, user_, result_json(d2_, 1000001), 100000);
    targets_ = {{"device-1a", last1.device_id},
                {"device-1b", last1.device_id},
                {"device-2", last2.device_id},
                {"all", last2.user_id}};
    targets_set_.store(true, std::memory_order_release);
    for (auto& l : loopers) l->thread.join();

    std::cout << "[ reconnect] publisher: " << p.acknowledged() << " results in " << p.seconds() << " s ("
              << p.failures() << " failed); clients done after " << seconds_since(t0) << " s\n";
    for (auto& l : loopers) {
        auto want = log_entries(redis(), l->log_key, l->after);
        std::cout << "[ reconnect]   " << l->name << ": " << l->connects << " connects, received " << l->got.size()
                  << ", log holds " << want.size() << " after " << l->after << ", slowest first event "
                  << l->max_replay_wait_ms << " ms\n";
        EXPECT_TRUE(l->error.empty()) << l->name << ": " << l->error;
        EXPECT_GE(l->connects, 20) << l->name << " reconnected too few times for the test to mean much";
        EXPECT_TRUE(same_sequence(l->got, want)) << l->name << " over " << l->connects << " connects";
    }
    EXPECT_EQ(p.failures(), 0) << p.last_error();
}

} // namespace
} // namespace ssegw::it

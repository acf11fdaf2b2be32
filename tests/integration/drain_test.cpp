// SIGTERM drain (docs/OPERATIONS.md): streams get a retry: and close, slots are freed in
// Redis, idle keep-alive connections close at once, the process exits 0 within 10 s (and, in a sanitizer
// build, without a report: its exit tears down the listener and the workers with work still queued).
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/tcp_conn.hpp"

#include <sys/wait.h>

namespace ssegw::it {
namespace {

class drain : public gateway_test {
protected:
    // A keep-alive connection that got its /healthz answer and then sends nothing (a proxy's idle pool).
    static std::unique_ptr<tcp_conn> idle_keep_alive(std::uint16_t port) {
        auto c = std::make_unique<tcp_conn>(port, in(2s));
        c->send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", in(2s));
        std::string got;
        char buf[4096];
        while (got.find("\r\n\r\n") == std::string::npos) {
            auto n = c->read_some(buf, sizeof buf, in(2s));
            if (n <= 0) throw std::runtime_error("no answer to /healthz on a keep-alive connection");
            got.append(buf, static_cast<std::size_t>(n));
        }
        if (got.rfind("HTTP/1.1 200", 0) != 0) throw std::runtime_error("/healthz answered:\n" + got);
        return c;
    }
};

TEST_F(drain, sigterm_closes_streams_with_retry_frees_slots_and_exits_0) {
    auto& a = start_gateway({"--max-conns-per-user", "2"});
    auto& b = start_gateway({"--max-conns-per-user", "2"});
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto s1 = open_stream(a.port(), device_path(dev), bearer(key));
    auto s2 = open_stream(a.port(), all_path(), bearer(key));
    {
        sse_client refused(b.port(), device_path(dev), bearer(key));
        refused.read_body(in(3s));
        ASSERT_EQ(refused.status(), 429) << refused.describe();
    }
    a.terminate();
    auto t0 = clock::now();
    for (auto* s : {s1.get(), s2.get()}) {
        EXPECT_TRUE(s->wait_end(in(10s))) << s->describe();
        EXPECT_GE(s->retries().size(), 2u) << "no retry: sent before the drain close\n" << s->describe();
        if (s->retries().size() >= 2) {
            EXPECT_GT(s->retries().back(), 0);
        }
    }
    auto st = a.proc().wait_until(t0 + 10s);
    ASSERT_TRUE(st) << "still running 10 s after SIGTERM";
    EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << describe_status(st);
    // Its leases are gone from Redis (b holds none: its one request was refused)...
    auto leases = redis().command({"ZRANGE", "sse:conns:" + user, "0", "-1"});
    EXPECT_EQ(leases->elements, 0u) << "the lease set still holds " << leases->elements << " members after the drain";
    // ...so its slots are free for the other instance, without waiting for a lease to expire.
    std::unique_ptr<sse_client> c;
    EXPECT_TRUE(poll_until(in(2s), [&] {
        c = std::make_unique<sse_client>(b.port(), device_path(dev), bearer(key));
        return c->status() == 200;
    })) << "the drained instance kept its slots";
}

TEST_F(drain, idle_keep_alive_connections_are_closed_at_once_and_do_not_hold_the_exit) {
    // A proxy's pool of idle keep-alive connections (nginx upstream keepalive) must not keep a
    // drained instance alive for the whole grace period, nor be reused for a request meanwhile.
    auto& a = start_gateway();
    std::vector<std::unique_ptr<tcp_conn>> idle;
    for (int i = 0; i < 3; ++i) idle.push_back(idle_keep_alive(a.port()));
    a.terminate();
    auto t0 = clock::now();
    for (auto& c : idle) {
        char buf[4096];
        long n = 1;
        while (n > 0) n = c->read_some(buf, sizeof buf, in(3s));
        EXPECT_EQ(n, 0) << "an idle keep-alive connection was not closed by the drain";
    }
    auto st = a.proc().wait_until(t0 + 4s);
    ASSERT_TRUE(st) << "still running 4 s after SIGTERM with only idle connections open (the grace is 6 s)";
    EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << describe_status(st);
}

TEST_F(drain, repeated_drains_with_streams_and_idle_connections_exit_0_and_clean) {
    // The whole drain, 20 times in a row, with every kind of connection open: streams (on the workers;
    // every other time none, so that nothing holds the exit), idle keep-alive connections, one connected but silent (maybe still in the accept), one
    // with half a request that its client abandons during the drain. The exit tears down the listener, the workers' sockets and their io_contexts
    // in some order with handlers still queued; an order that is wrong shows as a crash or, in an
    // ASan build (SSEGW_GATEWAY_SANITIZED=1), as a heap-use-after-free report at exit: rarely per run,
    // hence the loop.
    constexpr int iterations = 20;
    for (int i = 1; i <= iterations; ++i) {
        SCOPED_TRACE("drain #" + std::to_string(i));
        auto& gw = start_gateway({}, "drain-" + std::to_string(i));
        auto user = unique("u");
        auto dev = unique("d");
        auto key = new_user(user, {dev});
        std::vector<std::unique_ptr<sse_client>> streams;
        if (i % 2 == 1) {  // every other drain without streams: the exit follows the SIGTERM at once
            streams.push_back(open_stream(gw.port(), device_path(dev), bearer(key)));
            streams.push_back(open_stream(gw.port(), device_path(dev), bearer(key)));
            streams.push_back(open_stream(gw.port(), all_path(), bearer(key)));
        }
        std::vector<std::unique_ptr<tcp_conn>> conns;
        for (int k = 0; k < 3; ++k) conns.push_back(idle_keep_alive(gw.port()));
        tcp_conn half(gw.port(), in(2s));
        half.send_all("GET /healthz HTTP/1.1\r\nHo", in(2s));
        conns.push_back(std::make_unique<tcp_conn>(gw.port(), in(2s)));  // just connected
        gw.terminate();
        auto t0 = clock::now();
        for (auto& s : streams) EXPECT_TRUE(s->wait_end(in(10s))) << s->describe();
        // The drain would give it --header-timeout (10 s) to finish its request: its client gives up.
        half.close();
        auto st = gw.proc().wait_until(t0 + 10s);
        ASSERT_TRUE(st) << "still running 10 s after SIGTERM";
        EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << describe_status(st);
        auto report = sanitizer_report(gw);
        EXPECT_FALSE(report) << "sanitizer report at drain #" << i << ":\n" << report.value_or("");
        if (HasFailure()) break;  // the fixture prints this gateway's log
    }
}

} // namespace
} // namespace ssegw::it

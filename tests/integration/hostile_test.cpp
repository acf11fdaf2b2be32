// Hostile clients: slow headers (slowloris), oversized heads and targets, ambiguous framing
// (request smuggling), garbage after a valid request, bodies on stream paths, a flood of malformed requests
// (memory and a healthy stream unaffected), and the per-IP connection-rate limit. Every refusal is an
// answer or a close, never a hang, and is counted in sse_gateway_connections_rejected_total.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/tcp_conn.hpp"
#include "tests/support/traffic.hpp"

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace ssegw::it {
namespace {

/// What a raw connection got back: every byte until EOF/reset (or the deadline), and how it ended.
struct raw_result {
    std::string bytes;
    bool closed = false;     // EOF or reset by the deadline
    bool timed_out = false;  // neither: the server hung
    int status() const {
        if (bytes.rfind("HTTP/1.", 0) != 0 || bytes.size() < 12) return 0;
        return std::atoi(bytes.c_str() + 9);
    }
    /// How many response status lines arrived.
    int responses() const {
        int n = 0;
        for (auto p = bytes.find("HTTP/1.1 "); p != std::string::npos; p = bytes.find("HTTP/1.1 ", p + 1)) ++n;
        return n;
    }
    std::string body() const {
        auto p = bytes.find("\r\n\r\n");
        return p == std::string::npos ? std::string{} : bytes.substr(p + 4);
    }
};

/// Reads until the server closes (or the deadline passes).
raw_result read_to_close(tcp_conn& c, deadline d) {
    raw_result r;
    char buf[16384];
    for (;;) {
        long n = c.read_some(buf, sizeof buf, d);
        if (n > 0) {
            r.bytes.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) r.closed = true;
        else r.timed_out = true;
        return r;
    }
}

/// Sends `data` on a new connection (a failed send is fine: the server may close early) and reads to close.
raw_result exchange(std::uint16_t port, std::string const& data, deadline d = in(5s)) {
    tcp_conn c(port, d);
    try {
        c.send_all(data, d);
    } catch (std::exception const&) {
    }
    return read_to_close(c, d);
}

::testing::AssertionResult refused_and_closed(raw_result const& r, int want_status) {
    if (r.timed_out) return ::testing::AssertionFailure() << "the server neither answered nor closed:\n" << r.bytes;
    if (r.status() != want_status)
        return ::testing::AssertionFailure() << "want " << want_status << ", got:\n" << r.bytes.substr(0, 600);
    if (r.responses() != 1) return ::testing::AssertionFailure() << r.responses() << " responses:\n" << r.bytes;
    if (r.body().find("\"error\"") == std::string::npos || r.body().find("\"code\"") == std::string::npos)
        return ::testing::AssertionFailure() << "no JSON error body:\n" << r.bytes;
    return ::testing::AssertionSuccess();
}

std::string const rejected_bad = R"(sse_gateway_connections_rejected_total{reason="bad_request"})";
std::string const rejected_many = R"(sse_gateway_connections_rejected_total{reason="too_many"})";

class hostile : public gateway_test {
protected:
    std::uint16_t port() const { return gw_->port(); }
    double metric(std::string const& series) { return scrape(port(), series).value_or(-1); }
    gateway* gw_ = nullptr;
};

TEST_F(hostile, slowloris_is_closed_within_the_header_timeout_others_are_served) {
    gw_ = &start_gateway({"--header-timeout", "2"});
    double const bad0 = metric(rejected_bad);
    std::string const head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(200, 'a') + "\r\n\r\n";

    tcp_conn slow(port(), in(2s));
    auto const t0 = clock::now();
    std::atomic<bool> served_meanwhile{false};
    std::thread other([&] {
        // A normal request on another connection while the trickle goes on.
        std::this_thread::sleep_for(700ms);
        auto r = http_get(port(), "/healthz", {}, in(2s));
        served_meanwhile = r.status() == 200 && seconds_since(t0) < 2.0;
    });
    // One byte every 500 ms; each byte would reset a per-read timer, never the request deadline.
    bool closed = false;
    double closed_after = 0;
    std::size_t sent = 0;
    char buf[4096];
    while (!closed && seconds_since(t0) < 6.0 && sent < head.size()) {
        try {
            slow.send_all(std::string_view(head).substr(sent, 1), in(1s));
            ++sent;
        } catch (std::exception const&) {
            closed = true;  // EPIPE/ECONNRESET: the server has closed it
        }
        long n = slow.read_some(buf, sizeof buf, in(500ms));
        if (n >= 0 && !closed) closed = true;  // EOF (or an early 408) ends the trickle
    }
    closed_after = seconds_since(t0);
    other.join();
    std::cout << "[ slowloris] closed after " << closed_after << " s having sent " << sent << " bytes\n";
    EXPECT_TRUE(closed) << "still open after " << closed_after << " s, " << sent << " bytes trickled";
    EXPECT_LT(closed_after, 2.0 + 1.0) << "closed later than --header-timeout + 1 s";
    EXPECT_GT(closed_after, 1.5) << "closed before --header-timeout";
    EXPECT_TRUE(served_meanwhile) << "a normal request was not answered while the slow client trickled";
    EXPECT_TRUE(poll_until(in(2s), [&] { return metric(rejected_bad) >= bad0 + 1; })) << "slow request not counted";

    // An idle keep-alive connection is bounded by the same deadline (and is not counted as a refusal).
    tcp_conn idle(port(), in(2s));
    idle.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", in(2s));
    auto const t1 = clock::now();
    auto r = read_to_close(idle, in(5s));
    EXPECT_EQ(r.status(), 200) << r.bytes;
    EXPECT_TRUE(r.closed) << "idle keep-alive connection still open after " << seconds_since(t1) << " s";
    EXPECT_LT(seconds_since(t1), 3.0);
}

TEST_F(hostile, oversized_head_is_431_and_closed) {
    gw_ = &start_gateway();
    std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 40; ++i) req += "X-Big-" + std::to_string(i) + ": " + std::string(500, 'b') + "\r\n";
    req += "\r\n";
    double const bad0 = metric(rejected_bad);
    auto r = exchange(port(), req);
    EXPECT_TRUE(refused_and_closed(r, 431));
    // Just under the limit is fine.
    std::string ok = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Fill: " + std::string(15000, 'c') + "\r\n\r\n";
    EXPECT_EQ(exchange(port(), ok).status(), 200);
    EXPECT_EQ(metric(rejected_bad), bad0 + 1);
}

TEST_F(hostile, over_long_request_target_is_414) {
    gw_ = &start_gateway();
    // Between the target limit (8 KiB) and the head limit (16 KiB), and past both.
    for (std::size_t len : {10000u, 20000u}) {
        auto r = exchange(port(), "GET /healthz?x=" + std::string(len, 'q') + " HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_TRUE(refused_and_closed(r, 414)) << "target of " << len << " bytes";
    }
    auto r = exchange(port(), "GET /healthz?x=" + std::string(7000, 'q') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.status(), 200) << r.bytes.substr(0, 300);
}

TEST_F(hostile, ambiguous_framing_is_400_and_the_smuggled_request_never_answered) {
    gw_ = &start_gateway();
    double const bad0 = metric(rejected_bad);
    // Each carries a second request a differently-parsing proxy would see as the body (or vice versa).
    std::string const smuggled = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    std::vector<std::pair<std::string, std::string>> cases = {
        {"CL+TE", "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "0\r\n\r\n" + smuggled},
        {"TE+CL", "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
                  "0\r\n\r\n" + smuggled},
        {"two CLs", "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: " +
                        std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled},
        {"equal CLs", "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n" + smuggled},
        {"CL list", "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0, 0\r\n\r\n" + smuggled},
        {"TE gzip", "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n" + smuggled},
        {"TE obfuscated", "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n" + smuggled},
    };
    for (auto const& [name, data] : cases) {
        auto r = exchange(port(), data);
        EXPECT_TRUE(refused_and_closed(r, 400)) << name;
        EXPECT_EQ(r.bytes.find("sse_gateway"), std::string::npos) << name << ": the smuggled request was answered";
    }
    EXPECT_EQ(metric(rejected_bad), bad0 + static_cast<double>(cases.size()));
}

TEST_F(hostile, garbage_pipelined_after_a_valid_request_answers_the_valid_one_then_400) {
    gw_ = &start_gateway();
    auto r = exchange(port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n\x01\x02 NOT HTTP AT ALL\r\n\r\n"
                              "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_FALSE(r.timed_out) << r.bytes;
    EXPECT_EQ(r.status(), 200) << r.bytes;
    EXPECT_EQ(r.responses(), 2) << r.bytes;
    auto second = r.bytes.find("HTTP/1.1 ", 1);
    ASSERT_NE(second, std::string::npos) << r.bytes;
    EXPECT_EQ(r.bytes.compare(second, 12, "HTTP/1.1 400"), 0) << r.bytes;
    EXPECT_EQ(r.bytes.find("sse_gateway"), std::string::npos) << "a request after the garbage was answered";
    EXPECT_TRUE(r.closed);
}

TEST_F(hostile, body_on_a_stream_path_is_400) {
    gw_ = &start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto const path = device_path(dev);
    std::string const auth = "Authorization: Bearer " + key + "\r\n";
    for (std::string const& method : {std::string("GET"), std::string("HEAD")}) {
        auto r = exchange(port(), method + " " + path + " HTTP/1.1\r\nHost: x\r\n" + auth +
                                      "Content-Length: 5\r\n\r\nhello");
        EXPECT_TRUE(refused_and_closed(r, 400)) << method << " with Content-Length";
        r = exchange(port(), method + " " + all_path() + " HTTP/1.1\r\nHost: x\r\n" + auth +
                                 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        EXPECT_TRUE(refused_and_closed(r, 400)) << method << " with Transfer-Encoding";
    }
    // Content-Length: 0 is no body: the stream opens.
    auto s = open_stream(port(), path, {{"Authorization", "Bearer " + key}, {"Content-Length", "0"}});
    EXPECT_TRUE(has_stream_headers(s->head()));
    EXPECT_EQ(metric(R"(sse_gateway_connections{stream="device"})"), 1.0);
}

TEST_F(hostile, flood_of_malformed_requests_leaves_memory_and_a_live_stream_intact) {
    gw_ = &start_gateway();
    auto const pid = gw_->proc().pid();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    stream_reader healthy(open_stream(port(), device_path(dev), bearer(key)), in(14s), "healthy stream");

    // 10,000 malformed requests: 20 threads x 500 short connections, a different kind of garbage each time.
    std::vector<std::string> const garbage = {
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 tls hello\r\n\r\n",
        "GET /healthz HTTP/9.9\r\n\r\n",
        "GET\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nBad Header Line\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        std::string("GET /\0 HTTP/1.1\r\n\r\n", 20),
    };
    constexpr int threads = 20, per_thread = 500;
    std::atomic<int> answered{0}, closed_only{0}, hung{0};
    auto flood = [&](int n, double max_s) {
        auto const t0 = clock::now();
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t, t0] {
                for (int i = 0; i < n && seconds_since(t0) < max_s; ++i) {
                    try {
                        auto r = exchange(port(), garbage[static_cast<std::size_t>(t + i) % garbage.size()], in(3s));
                        if (r.timed_out) ++hung;
                        else if (r.status() == 400) ++answered;
                        else ++closed_only;
                    } catch (std::exception const&) {
                        ++hung;  // could not connect
                    }
                }
            });
        for (auto& th : pool) th.join();
        return seconds_since(t0);
    };
    // Warm-up (every worker thread's allocator arena, the first connections), then the baseline.
    flood(10, 3.0);
    answered = closed_only = hung = 0;
    double const bad0 = metric(rejected_bad);
    long before = rss_kib(pid);
    ASSERT_GT(before, 0) << "cannot read VmRSS of pid " << pid;

    // Published during the flood at a steady 500/s: the healthy stream must get every one.
    auto const p0 = clock::now();
    auto o = result_traffic(user, {dev});
    o.max_count = 100000;
    o.max_time = 30s;  // stopped when the flood ends
    o.gate = [p0](int n) { return n < static_cast<int>(seconds_since(p0) * 500); };
    flat_out_publisher p(redis_server_->endpoint(), std::move(o));

    double const flood_s = flood(per_thread, 12.0);
    p.stop();
    p.join();
    auto const& acked = p.acknowledged_results();
    ASSERT_FALSE(acked.empty()) << p.last_error();
    healthy.set_target(acked.back().ids.device_id);
    healthy.join();

    long after = rss_kib(pid);
    poll_until(in(3s), [&] { return (after = rss_kib(pid)) - before < 5 * 1024; }, 50ms);
    int const total = answered + closed_only + hung;
    std::cout << "[ flood    ] " << total << " malformed requests in " << flood_s << " s: " << answered
              << " answered 400, " << closed_only << " closed, " << hung << " hung; VmRSS before " << before
              << " kB, after " << after << " kB; healthy stream got " << healthy.events().size() << " of "
              << acked.size() << " events published meanwhile\n";

    EXPECT_EQ(total, threads * per_thread) << "the flood did not finish in time";
    EXPECT_EQ(hung, 0);
    EXPECT_EQ(answered + closed_only, threads * per_thread);
    EXPECT_GE(metric(rejected_bad), bad0 + answered);
    EXPECT_TRUE(healthy.error().empty()) << healthy.error();
    EXPECT_FALSE(healthy.client().ended()) << "the healthy stream was cut";
    EXPECT_TRUE(same_sequence(healthy.events(), log_entries(redis(), "analysis:device:" + dev + ":log", "-")))
        << "healthy stream";
    if (std::getenv("SSEGW_GATEWAY_SANITIZED")) return;  // the sanitizer's allocator quarantines freed memory
    EXPECT_LT(after - before, 5 * 1024) << "VmRSS grew by more than 5 MiB over the flood";
}

TEST_F(hostile, connection_rate_per_ip_refuses_the_excess_then_recovers) {
    gw_ = &start_gateway({"--max-conn-rate-per-ip", "5"});
    // /readyz polling at start took tokens; let the bucket refill.
    std::this_thread::sleep_for(1100ms);
    double const many0 = metric(rejected_many);
    std::this_thread::sleep_for(1100ms);  // the scrape took one token too

    int served = 0, refused_429 = 0, closed = 0, hung = 0;
    std::string sample;
    {
        std::vector<std::unique_ptr<tcp_conn>> conns;
        for (int i = 0; i < 20; ++i) conns.push_back(std::make_unique<tcp_conn>(port(), in(2s)));
        for (auto& c : conns) {
            try {
                c->send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", in(2s));
            } catch (std::exception const&) {
            }
        }
        for (auto& c : conns) {
            auto r = read_to_close(*c, in(3s));
            if (r.timed_out) ++hung;
            else if (r.status() == 200) ++served;
            else if (r.status() == 429) {
                ++refused_429;
                if (sample.empty()) sample = r.bytes;
            } else ++closed;
        }
    }
    std::cout << "[ rate/ip  ] burst of 20: " << served << " served, " << refused_429 << " got 429, " << closed
              << " closed, " << hung << " hung\n";
    EXPECT_EQ(hung, 0);
    EXPECT_GE(served, 4);
    EXPECT_LE(served, 6) << "the limit of 5/s (burst 5) let too many through";
    EXPECT_EQ(served + refused_429 + closed, 20);
    if (!sample.empty()) {
        EXPECT_NE(sample.find("TOO_MANY_CONNECTIONS"), std::string::npos) << sample;
        EXPECT_NE(sample.find("Retry-After:"), std::string::npos) << sample;
    }
    std::this_thread::sleep_for(1100ms);
    EXPECT_EQ(metric(rejected_many), many0 + (20 - served)) << "refusals not counted";
    // After a second, new connections work again.
    std::this_thread::sleep_for(1100ms);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(http_get(port(), "/healthz").status(), 200) << "connection " << i;
}

TEST_F(hostile, max_connections_refusals_are_counted) {
    gw_ = &start_gateway({"--max-connections", "3"});
    double const many0 = metric(rejected_many);
    // The scrape's connection frees its slot just after the answer: give the server that moment.
    poll_until(in(300ms), [] { return false; }, 50ms);
    std::vector<std::unique_ptr<tcp_conn>> held;
    for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<tcp_conn>(port(), in(2s)));
    poll_until(in(1s), [] { return false; }, 100ms);  // let the acceptor take them
    for (auto& h : held) {
        char b[10];
        ASSERT_EQ(h->read_some(b, sizeof b, in(10ms)), -1) << "one of the first 3 connections was refused";
    }
    auto extra = exchange(port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", in(3s));
    EXPECT_FALSE(extra.timed_out) << "a refused connection hung";
    EXPECT_EQ(extra.status(), 0) << extra.bytes;
    held.clear();
    // (A scrape refused while the held connections wind down is itself one more refusal.)
    EXPECT_TRUE(poll_until(in(3s), [&] { return metric(rejected_many) >= many0 + 1; }))
        << "got " << metric(rejected_many) << ", want at least " << many0 + 1;
}

} // namespace
} // namespace ssegw::it

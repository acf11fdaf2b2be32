// The per-IP connection-rate token bucket (--max-conn-rate-per-ip): rate, burst, refill, independence of
// addresses, off at 0, and bounded memory (idle addresses forgotten, a hard cap on tracked addresses).
#include "common/http/conn_rate_limiter.hpp"

#include <gtest/gtest.h>

namespace ssegw::web {
namespace {

using namespace std::chrono_literals;
using clk = conn_rate_limiter::clock;

int allowed_in_burst(conn_rate_limiter& l, conn_rate_limiter::address const& ip, clk::time_point t, int n) {
    int ok = 0;
    for (int i = 0; i < n; ++i) ok += l.allow(ip, t) ? 1 : 0;
    return ok;
}

TEST(conn_rate_limiter, off_at_zero_allows_everything_and_tracks_nothing) {
    conn_rate_limiter l(0);
    auto t = clk::now();
    EXPECT_FALSE(l.enabled());
    EXPECT_EQ(allowed_in_burst(l, conn_rate_limiter::v4(0x7f000001), t, 1000), 1000);
    EXPECT_EQ(l.tracked(), 0u);
}

TEST(conn_rate_limiter, burst_defaults_to_rate_then_refuses) {
    conn_rate_limiter l(5);
    auto t = clk::now();
    auto ip = conn_rate_limiter::v4(0x0a000001);
    EXPECT_EQ(allowed_in_burst(l, ip, t, 20), 5);
    EXPECT_FALSE(l.allow(ip, t));
    EXPECT_NEAR(l.retry_after(ip, t), 0.2, 1e-9);
}

TEST(conn_rate_limiter, refills_at_the_rate) {
    conn_rate_limiter l(5);
    auto t = clk::now();
    auto ip = conn_rate_limiter::v4(0x0a000002);
    ASSERT_EQ(allowed_in_burst(l, ip, t, 5), 5);
    EXPECT_FALSE(l.allow(ip, t + 100ms));   // half a token
    EXPECT_TRUE(l.allow(ip, t + 200ms));    // one token after 200 ms
    EXPECT_FALSE(l.allow(ip, t + 200ms));
    EXPECT_EQ(allowed_in_burst(l, ip, t + 1200ms, 20), 5);  // full again after a second, never more than burst
}

TEST(conn_rate_limiter, refused_attempts_do_not_earn_tokens) {
    conn_rate_limiter l(2);
    auto t = clk::now();
    auto ip = conn_rate_limiter::v4(0x0a000003);
    ASSERT_EQ(allowed_in_burst(l, ip, t, 2), 2);
    int ok = 0;
    for (int ms = 0; ms <= 1000; ms += 10) ok += l.allow(ip, t + std::chrono::milliseconds(ms)) ? 1 : 0;
    EXPECT_EQ(ok, 2);  // 2 per second, however hard it hammers
}

TEST(conn_rate_limiter, explicit_burst) {
    conn_rate_limiter l(1, 3);
    auto t = clk::now();
    auto ip = conn_rate_limiter::v4(0x0a000004);
    EXPECT_EQ(allowed_in_burst(l, ip, t, 10), 3);
    EXPECT_TRUE(l.allow(ip, t + 1s));
    EXPECT_FALSE(l.allow(ip, t + 1s));
}

TEST(conn_rate_limiter, addresses_are_independent) {
    conn_rate_limiter l(3);
    auto t = clk::now();
    auto a = conn_rate_limiter::v4(0x0a000005), b = conn_rate_limiter::v4(0x0a000006);
    conn_rate_limiter::address v6{0x20, 0x01, 0x0d, 0xb8};
    EXPECT_EQ(allowed_in_burst(l, a, t, 10), 3);
    EXPECT_EQ(allowed_in_burst(l, b, t, 10), 3);
    EXPECT_EQ(allowed_in_burst(l, v6, t, 10), 3);
    EXPECT_FALSE(l.allow(a, t));
}

TEST(conn_rate_limiter, idle_addresses_are_forgotten) {
    conn_rate_limiter l(10);
    auto t = clk::now();
    for (std::uint32_t i = 0; i < 5000; ++i) l.allow(conn_rate_limiter::v4(0x0b000000 + i), t);
    EXPECT_EQ(l.tracked(), 5000u);
    // Later, one new connection: the sweep drops every bucket that has refilled since.
    l.allow(conn_rate_limiter::v4(0x0c000001), t + 2s);
    EXPECT_EQ(l.tracked(), 1u);
}

TEST(conn_rate_limiter, a_busy_address_is_not_forgotten) {
    conn_rate_limiter l(1);
    auto t = clk::now();
    auto ip = conn_rate_limiter::v4(0x0a000007);
    int ok = 0;
    for (int i = 0; i <= 30; ++i) ok += l.allow(ip, t + std::chrono::milliseconds(100 * i)) ? 1 : 0;
    EXPECT_EQ(ok, 4);  // at 0, 1, 2 and 3 s: sweeps in between kept its (empty) bucket
    EXPECT_EQ(l.tracked(), 1u);
}

TEST(conn_rate_limiter, tracked_addresses_are_capped) {
    conn_rate_limiter l(1, 1, 100);
    auto t = clk::now();
    for (std::uint32_t i = 0; i < 10000; ++i) EXPECT_TRUE(l.allow(conn_rate_limiter::v4(0x0d000000 + i), t));
    EXPECT_LE(l.tracked(), 100u);
}

} // namespace
} // namespace ssegw::web

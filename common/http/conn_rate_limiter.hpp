// Per-client-IP connection-rate limit (--max-conn-rate-per-ip): a token bucket per address, refilled at
// `rate` tokens per second up to `burst`; each new connection takes one token. Pure (the caller passes
// the time), single-threaded: the server uses it on the control thread at accept. Memory is bounded: an
// address whose bucket has refilled is indistinguishable from a new one and is dropped by a periodic sweep,
// and at most `max_tracked` addresses are held (past that, new addresses are let through untracked rather
// than refused: a flood from that many addresses is not a per-IP problem).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace ssegw::web {

class conn_rate_limiter {
public:
    using clock = std::chrono::steady_clock;
    /// An IPv6 address, or an IPv4 one mapped into it (::ffff:a.b.c.d).
    using address = std::array<std::uint8_t, 16>;

    /// rate 0: off (every connection allowed, nothing tracked). burst 0: the same as rate (at least 1).
    explicit conn_rate_limiter(double rate, double burst = 0, std::size_t max_tracked = 65536);

    /// Takes a token for `ip` at `now`; false: over the limit, refuse the connection.
    bool allow(address const& ip, clock::time_point now);
    /// Seconds until `ip` has a token again (for Retry-After); 0 if it has one now.
    double retry_after(address const& ip, clock::time_point now) const;

    bool enabled() const noexcept { return rate_ > 0; }
    std::size_t tracked() const noexcept { return buckets_.size(); }
    double burst() const noexcept { return burst_; }

    static address v4(std::uint32_t host_order);

private:
    struct bucket {
        double tokens;
        clock::time_point last;
    };
    struct hasher {
        std::size_t operator()(address const& a) const noexcept;
    };
    double tokens_at(bucket const& b, clock::time_point now) const;
    void sweep(clock::time_point now);

    double rate_;
    double burst_;
    std::size_t max_tracked_;
    clock::duration refill_time_;  // an idle bucket is full again after this
    clock::time_point next_sweep_{};
    std::unordered_map<address, bucket, hasher> buckets_;
};

} // namespace ssegw::web

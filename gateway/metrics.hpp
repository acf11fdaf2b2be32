// The counters and gauges of GATEWAY.md section 5, updated from any thread (relaxed atomics,
// batched per delivery on the hot path) and rendered in Prometheus text format.
#pragma once

#include "gateway/api_error.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace ssegw::gateway {

enum class stream_kind { device = 0, all = 1 };
enum class disconnect_reason { client = 0, idle, slow, revoked, shutdown, count };
enum class drop_reason { malformed = 0, no_subscribers, duplicate, count };

std::string_view name_of(disconnect_reason r);
std::string_view name_of(stream_kind k);

class metrics {
public:
    using counter = std::atomic<std::uint64_t>;

    std::array<std::atomic<std::int64_t>, 2> connections{};  // by stream_kind
    counter opened{0};
    std::array<counter, 7> rejected{};                        // by error_kind
    counter events_received{0};
    counter events_delivered{0};
    counter events_replayed{0};
    std::array<counter, static_cast<std::size_t>(drop_reason::count)> dropped{};
    std::array<counter, static_cast<std::size_t>(disconnect_reason::count)> disconnects{};

    void reject(error_kind k) { rejected[static_cast<std::size_t>(k)].fetch_add(1, std::memory_order_relaxed); }
    void disconnect(disconnect_reason r) {
        disconnects[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed);
    }
    void drop(drop_reason r) { dropped[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }
    void observe_lag(double seconds);

    /// Values owned by the control thread, passed in at scrape time.
    struct redis_state {
        bool connected = false;
        std::uint64_t reconnects = 0;
        std::size_t subscriptions = 0;
    };
    std::string render(redis_state const& r) const;

private:
    static constexpr std::array<double, 12> lag_bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,   0.25,   0.5,   1,    2.5,   5};
    std::array<counter, lag_bounds.size() + 1> lag_buckets_{};  // last: +Inf
    std::atomic<std::uint64_t> lag_sum_us_{0};
    counter lag_count_{0};
};

} // namespace ssegw::gateway

// The stream service's metrics (names of the contract's /metrics section), registered once in a
// metrics::registry and updated from any thread with relaxed atomics (batched per delivery on the
// hot path).
#pragma once

#include "common/http/api_error.hpp"
#include "common/metrics/registry.hpp"

#include <array>
#include <string_view>

namespace ssegw::gateway {

enum class stream_kind { device = 0, all = 1 };
enum class disconnect_reason { client = 0, idle, slow, revoked, shutdown, count };
enum class drop_reason { malformed = 0, no_subscribers, duplicate, count };

std::string_view name_of(disconnect_reason r);
std::string_view name_of(stream_kind k);
std::string_view name_of(drop_reason r);

class stream_metrics {
public:
    explicit stream_metrics(metrics::registry& r);

    std::array<metrics::gauge*, 2> connections{};  // by stream_kind
    metrics::counter* opened;
    metrics::counter* events_received;
    metrics::counter* events_delivered;
    metrics::counter* events_replayed;

    void reject(web::error_kind k) { rejected_[static_cast<std::size_t>(k)]->fetch_add(1, std::memory_order_relaxed); }
    void disconnect(disconnect_reason r) {
        disconnects_[static_cast<std::size_t>(r)]->fetch_add(1, std::memory_order_relaxed);
    }
    void drop(drop_reason r) { dropped_[static_cast<std::size_t>(r)]->fetch_add(1, std::memory_order_relaxed); }
    void observe_lag(double seconds) { lag_->observe(seconds); }

private:
    std::array<metrics::counter*, 7> rejected_{};  // by error_kind; 405 shares bad_request's series
    std::array<metrics::counter*, static_cast<std::size_t>(drop_reason::count)> dropped_{};
    std::array<metrics::counter*, static_cast<std::size_t>(disconnect_reason::count)> disconnects_{};
    metrics::histogram* lag_;
};

} // namespace ssegw::gateway

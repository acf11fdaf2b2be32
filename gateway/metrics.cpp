#include "gateway/metrics.hpp"

#include <cstdio>
#include <sstream>

namespace ssegw::gateway {

std::string_view name_of(stream_kind k) { return k == stream_kind::device ? "device" : "all"; }

std::string_view name_of(disconnect_reason r) {
    switch (r) {
    case disconnect_reason::client: return "client";
    case disconnect_reason::idle: return "idle";
    case disconnect_reason::slow: return "slow";
    case disconnect_reason::revoked: return "revoked";
    case disconnect_reason::shutdown: return "shutdown";
    case disconnect_reason::count: break;
    }
    return "client";
}

void metrics::observe_lag(double s) {
    if (s < 0) s = 0;
    std::size_t i = 0;
    while (i < lag_bounds.size() && s > lag_bounds[i]) ++i;
    lag_buckets_[i].fetch_add(1, std::memory_order_relaxed);
    lag_sum_us_.fetch_add(static_cast<std::uint64_t>(s * 1e6), std::memory_order_relaxed);
    lag_count_.fetch_add(1, std::memory_order_relaxed);
}

std::string metrics::render(redis_state const& r) const {
    std::ostringstream os;
    auto v = [](auto const& a) { return a.load(std::memory_order_relaxed); };
    os << "# HELP sse_gateway_connections Open SSE streams.\n# TYPE sse_gateway_connections gauge\n"
       << "sse_gateway_connections{stream=\"" << name_of(stream_kind::device) << "\"} " << v(connections[0]) << "\n"
       << "sse_gateway_connections{stream=\"" << name_of(stream_kind::all) << "\"} " << v(connections[1]) << "\n";
    os << "# HELP sse_gateway_connections_opened_total Streams opened.\n"
          "# TYPE sse_gateway_connections_opened_total counter\n"
       << "sse_gateway_connections_opened_total " << v(opened) << "\n";
    os << "# HELP sse_gateway_connections_rejected_total Stream requests refused.\n"
          "# TYPE sse_gateway_connections_rejected_total counter\n";
    // 405 has no label of its own in the contract: it counts as bad_request.
    for (auto reason : {"unauthorized", "forbidden", "not_found", "too_many", "unavailable", "bad_request"}) {
        std::uint64_t sum = 0;
        for (std::size_t k = 0; k < rejected.size(); ++k)
            if (metric_reason_of(static_cast<error_kind>(k)) == reason) sum += v(rejected[k]);
        os << "sse_gateway_connections_rejected_total{reason=\"" << reason << "\"} " << sum << "\n";
    }
    os << "# HELP sse_gateway_events_received_total Valid messages received from Redis.\n"
          "# TYPE sse_gateway_events_received_total counter\n"
       << "sse_gateway_events_received_total " << v(events_received) << "\n";
    os << "# HELP sse_gateway_events_delivered_total Events queued to streams.\n"
          "# TYPE sse_gateway_events_delivered_total counter\n"
       << "sse_gateway_events_delivered_total " << v(events_delivered) << "\n";
    os << "# HELP sse_gateway_events_replayed_total Events sent from replay logs.\n"
          "# TYPE sse_gateway_events_replayed_total counter\n"
       << "sse_gateway_events_replayed_total " << v(events_replayed) << "\n";
    os << "# HELP sse_gateway_events_dropped_total Messages dropped.\n"
          "# TYPE sse_gateway_events_dropped_total counter\n"
       << "sse_gateway_events_dropped_total{reason=\"malformed\"} " << v(dropped[0]) << "\n"
       << "sse_gateway_events_dropped_total{reason=\"no_subscribers\"} " << v(dropped[1]) << "\n"
       << "sse_gateway_events_dropped_total{reason=\"duplicate\"} " << v(dropped[2]) << "\n";
    os << "# HELP sse_gateway_disconnects_total Streams ended, by reason.\n"
          "# TYPE sse_gateway_disconnects_total counter\n";
    for (std::size_t i = 0; i < disconnects.size(); ++i)
        os << "sse_gateway_disconnects_total{reason=\"" << name_of(static_cast<disconnect_reason>(i)) << "\"} "
           << v(disconnects[i]) << "\n";
    os << "# HELP sse_gateway_redis_connected Whether Redis is connected and subscribed.\n"
          "# TYPE sse_gateway_redis_connected gauge\n"
       << "sse_gateway_redis_connected " << (r.connected ? 1 : 0) << "\n";
    os << "# HELP sse_gateway_redis_reconnects_total Redis reconnection attempts.\n"
          "# TYPE sse_gateway_redis_reconnects_total counter\n"
       << "sse_gateway_redis_reconnects_total " << r.reconnects << "\n";
    os << "# HELP sse_gateway_redis_subscriptions Channels subscribed.\n"
          "# TYPE sse_gateway_redis_subscriptions gauge\n"
       << "sse_gateway_redis_subscriptions " << r.subscriptions << "\n";
    os << "# HELP sse_gateway_delivery_lag_seconds Now minus the event id's time, at dispatch.\n"
          "# TYPE sse_gateway_delivery_lag_seconds histogram\n";
    std::uint64_t cumulative = 0;
    char le[32];
    for (std::size_t i = 0; i < lag_bounds.size(); ++i) {
        cumulative += v(lag_buckets_[i]);
        std::snprintf(le, sizeof le, "%g", lag_bounds[i]);
        os << "sse_gateway_delivery_lag_seconds_bucket{le=\"" << le << "\"} " << cumulative << "\n";
    }
    cumulative += v(lag_buckets_[lag_bounds.size()]);
    os << "sse_gateway_delivery_lag_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n";
    std::snprintf(le, sizeof le, "%.6f", static_cast<double>(v(lag_sum_us_)) / 1e6);
    os << "sse_gateway_delivery_lag_seconds_sum " << le << "\n"
       << "sse_gateway_delivery_lag_seconds_count " << v(lag_count_) << "\n";
    return os.str();
}

} // namespace ssegw::gateway

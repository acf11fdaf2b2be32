#include "gateway/stream_metrics.hpp"

namespace ssegw::gateway {
namespace {

std::string label(std::string_view name, std::string_view value) {
    return std::string(name) + "=\"" + std::string(value) + "\"";
}

} // namespace

std::string_view name_of(stream_kind k) { return k == stream_kind::device ? "device" : "all"; }

std::string_view name_of(disconnect_reason r) {
    constexpr std::array<std::string_view, static_cast<std::size_t>(disconnect_reason::count)> names{
        "client", "idle", "slow", "revoked", "shutdown"};
    return names[static_cast<std::size_t>(r) % names.size()];
}

std::string_view name_of(drop_reason r) {
    constexpr std::array<std::string_view, static_cast<std::size_t>(drop_reason::count)> names{
        "malformed", "no_subscribers", "duplicate"};
    return names[static_cast<std::size_t>(r) % names.size()];
}

stream_metrics::stream_metrics(metrics::registry& r) {
    // Registration order is exposition order.
    for (auto k : {stream_kind::device, stream_kind::all})
        connections[static_cast<std::size_t>(k)] =
            &r.add_gauge("sse_gateway_connections", "Open SSE streams.", label("stream", name_of(k)));
    opened = &r.add_counter("sse_gateway_connections_opened_total", "Streams opened.");
    for (auto reason : {"unauthorized", "forbidden", "not_found", "too_many", "unavailable", "bad_request"}) {
        auto& c = r.add_counter("sse_gateway_connections_rejected_total", "Stream requests refused.",
                                label("reason", reason));
        for (std::size_t k = 0; k < rejected_.size(); ++k)
            if (web::metric_reason_of(static_cast<web::error_kind>(k)) == reason) rejected_[k] = &c;
    }
    events_received = &r.add_counter("sse_gateway_events_received_total", "Valid messages received from Redis.");
    events_delivered = &r.add_counter("sse_gateway_events_delivered_total", "Events queued to streams.");
    events_replayed = &r.add_counter("sse_gateway_events_replayed_total", "Events sent from replay logs.");
    for (auto d : {drop_reason::malformed, drop_reason::no_subscribers, drop_reason::duplicate})
        dropped_[static_cast<std::size_t>(d)] =
            &r.add_counter("sse_gateway_events_dropped_total", "Messages dropped.", label("reason", name_of(d)));
    for (std::size_t i = 0; i < disconnects_.size(); ++i)
        disconnects_[i] = &r.add_counter("sse_gateway_disconnects_total", "Streams ended, by reason.",
                                         label("reason", name_of(static_cast<disconnect_reason>(i))));
    lag_ = &r.add_histogram("sse_gateway_delivery_lag_seconds", "Now minus the event id's time, at dispatch.",
                            {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
}

} // namespace ssegw::gateway

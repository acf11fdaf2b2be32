#include "webhookd/worker_metrics.hpp"

namespace ssegw::webhookd {
namespace {

std::string label(char const* name, std::string_view value) { return std::string(name) + "=\"" + std::string(value) + "\""; }

template <std::size_t N>
void add_labelled(metrics::registry& r, std::array<metrics::counter*, N>& into, std::array<std::string_view, N> const& values,
                  std::string const& name, std::string const& help, char const* label_name) {
    for (std::size_t i = 0; i < N; ++i) into[i] = &r.add_counter(name, help, label(label_name, values[i]));
}

template <std::size_t N>
void add_to(std::array<metrics::counter*, N> const& series, std::array<std::string_view, N> const& values,
            std::string_view which, std::int64_t n) {
    for (std::size_t i = 0; i < N; ++i)
        if (values[i] == which) series[i]->fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
}

// From a 1 ms answer to a timeout: receivers answer in milliseconds or time out in seconds.
std::vector<double> const latency_bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

} // namespace

worker_metrics::worker_metrics(metrics::registry& r)
    : events_received(r.add_counter("sse_webhook_events_received_total", "Entries read from webhook:events.")),
      events_planned(r.add_counter("sse_webhook_events_planned_total", "Entries that became a delivery.")),
      retries_scheduled(r.add_counter("sse_webhook_retries_scheduled_total", "Automatic retries written, due later.")),
      stale_results(r.add_counter("sse_webhook_stale_results_total",
                                  "Results discarded because the claim had lapsed and another instance held it.")),
      reclaimed_entries(r.add_counter("sse_webhook_reclaimed_total", "Work taken over from an instance that stopped.",
                                      "what=\"entry\"")),
      reclaimed_attempts(r.add_counter("sse_webhook_reclaimed_total", "", "what=\"attempt\"")),
      backlog(r.add_gauge("sse_webhook_backlog", "Entries not yet planned: group lag plus pending.")),
      scheduled(r.add_gauge("sse_webhook_scheduled_attempts", "Attempts in webhook:due (ZCARD).")),
      duration_(r.add_histogram("sse_webhook_attempt_duration_seconds",
                                "responseTimeMs: from the start of an attempt to its response head or failure.",
                                latency_bounds)),
      lag_(r.add_histogram("sse_webhook_delivery_lag_seconds",
                           "Attempt start minus its due time (first attempts: minus the publish time).",
                           latency_bounds)) {
    add_labelled(r, dropped_, drop_reasons, "sse_webhook_events_dropped_total", "Entries acknowledged without a delivery.",
                 "reason");
    for (std::size_t i = 0; i < attempts_.size(); ++i)
        attempts_[i] = &r.add_counter("sse_webhook_attempts_total", "Attempts ended, by outcome.",
                                      label("result", webhooks::name_of(static_cast<webhooks::outcome>(i))));
    add_labelled(r, deliveries_, delivery_results, "sse_webhook_deliveries_total", "Deliveries that reached a final state.",
                 "result");
    add_labelled(r, disabled_, disable_reasons, "sse_webhook_webhooks_disabled_total",
                 "Webhooks this instance disabled after failing deliveries.", "reason");
}

void worker_metrics::dropped(std::string_view reason) { add_to(dropped_, drop_reasons, reason, 1); }

void worker_metrics::attempt(webhooks::outcome o, double seconds) {
    attempts_[static_cast<std::size_t>(o)]->fetch_add(1, std::memory_order_relaxed);
    if (o != webhooks::outcome::cancelled && o != webhooks::outcome::internal) duration_.observe(seconds);
}

void worker_metrics::delivery(std::string_view result, std::int64_t n) { add_to(deliveries_, delivery_results, result, n); }

void worker_metrics::disabled(std::string_view reason) { add_to(disabled_, disable_reasons, reason, 1); }

} // namespace ssegw::webhookd

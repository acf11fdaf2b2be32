// sse-webhookd's metrics (the names of the contract's metrics section), registered once; the worker
// is single-threaded, so each update is one relaxed atomic add that the scrape reads. The values
// the server reads at scrape time (in flight, Redis connected, reconnects) are registered there.
#pragma once

#include "common/metrics/registry.hpp"
#include "webhooks/delivery/attempt.hpp"

#include <array>
#include <string>
#include <string_view>

namespace ssegw::webhookd {

class worker_metrics {
public:
    explicit worker_metrics(metrics::registry& r);

    metrics::counter& events_received;
    metrics::counter& events_planned;
    metrics::counter& retries_scheduled;
    metrics::counter& stale_results;
    metrics::counter& reclaimed_entries;
    metrics::counter& reclaimed_attempts;
    metrics::gauge& backlog;
    metrics::gauge& scheduled;

    /// A plan step's drop reason (malformed, no_webhook, …); an unknown one is not counted.
    void dropped(std::string_view reason);
    void attempt(webhooks::outcome o, double seconds);
    /// succeeded, failed or cancelled; `n` deliveries.
    void delivery(std::string_view result, std::int64_t n = 1);
    /// consecutive_failures or continuous_failure.
    void disabled(std::string_view reason);
    void lag(double seconds) { lag_.observe(seconds); }

private:
    static constexpr std::array<std::string_view, 5> drop_reasons{"malformed", "no_webhook", "disabled",
                                                                  "not_subscribed", "filtered"};
    static constexpr std::array<std::string_view, 3> delivery_results{"succeeded", "failed", "cancelled"};
    static constexpr std::array<std::string_view, 2> disable_reasons{"consecutive_failures", "continuous_failure"};
    std::array<metrics::counter*, drop_reasons.size()> dropped_{};
    std::array<metrics::counter*, webhooks::outcome_count> attempts_{};  // by outcome
    std::array<metrics::counter*, delivery_results.size()> deliveries_{};
    std::array<metrics::counter*, disable_reasons.size()> disabled_{};
    metrics::histogram& duration_;
    metrics::histogram& lag_;
};

} // namespace ssegw::webhookd

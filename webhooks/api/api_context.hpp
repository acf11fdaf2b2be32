// What every webhook API handler shares: the settings (key ring, URL rules, secret grace,
// retention), the way to Redis, the test requests' sender, whether the instance drains, and the
// answer counters.
#pragma once

#include "common/metrics/registry.hpp"
#include "common/net.hpp"
#include "common/redis/bridge.hpp"
#include "webhooks/delivery/sender.hpp"
#include "webhooks/model/address_policy.hpp"
#include "webhooks/secrets/keyring.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace ssegw::webhooks {

struct management_settings {
    keyring keys;
    bool allow_http = false;
    address_policy addresses;
    std::chrono::seconds secret_grace{86400};
    std::chrono::seconds retention{2592000};  // --webhook-retention: test records are kept as long as others
    std::string ca_file;                      // --webhook-ca-file, for test requests; empty: the system store
};

class api_context {
public:
    /// `send_on`: where test requests are sent from, one executor (a strand) for the one sender;
    /// it must outlive this object. Throws std::runtime_error if the CA file cannot be loaded.
    api_context(management_settings settings, redis::bridge& redis, std::atomic<bool> const& draining,
                metrics::registry& registry, net::any_io_executor send_on);

    management_settings const& settings() const { return settings_; }
    /// --webhook-retention in ms: how long delivery-log records are listed and kept.
    std::int64_t retention_ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(settings_.retention).count();
    }
    redis::bridge& redis() { return redis_; }
    bool draining() const { return draining_.load(std::memory_order_relaxed); }
    /// sse_gateway_webhook_requests_total{status}.
    void count(unsigned status);
    /// sse_gateway_webhook_tests_total{result}: a test attempt's outcome.
    void count_test(outcome o);

    /// Sends one test request; `done` runs once, on `reply_to`. Any thread may call it: the
    /// sender itself is only touched on `send_on`.
    void send(attempt_request r, net::any_io_executor reply_to, std::function<void(attempt_result)> done);

private:
    management_settings settings_;
    redis::bridge& redis_;
    std::atomic<bool> const& draining_;
    std::map<unsigned, metrics::counter*> requests_;  // by status; filled before serving, read-only after
    std::array<metrics::counter*, outcome_count> tests_{};  // by outcome; filled before serving, read-only after
    net::any_io_executor send_on_;
    sender sender_;  // after settings_: it keeps a pointer to settings_.addresses
};

} // namespace ssegw::webhooks

// What every webhook API handler shares: the settings (key ring, URL rules, secret grace), the way
// to Redis, whether the instance drains, and the answer counters.
#pragma once

#include "common/metrics/registry.hpp"
#include "common/redis/bridge.hpp"
#include "webhooks/model/address_policy.hpp"
#include "webhooks/secrets/keyring.hpp"

#include <atomic>
#include <chrono>
#include <map>

namespace ssegw::webhooks {

struct management_settings {
    keyring keys;
    bool allow_http = false;
    address_policy addresses;
    std::chrono::seconds secret_grace{86400};
};

class api_context {
public:
    api_context(management_settings settings, redis::bridge& redis, std::atomic<bool> const& draining,
                metrics::registry& registry);

    management_settings const& settings() const { return settings_; }
    redis::bridge& redis() { return redis_; }
    bool draining() const { return draining_.load(std::memory_order_relaxed); }
    /// sse_gateway_webhook_requests_total{status}.
    void count(unsigned status);

private:
    management_settings settings_;
    redis::bridge& redis_;
    std::atomic<bool> const& draining_;
    std::map<unsigned, metrics::counter*> requests_;  // by status; filled before serving, read-only after
};

} // namespace ssegw::webhooks

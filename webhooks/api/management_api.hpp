// The webhook management API (one webhook per user: create, read, change, delete, reveal and
// rotate its secret, and the event catalogue), as routes of the gateway's route table. Handlers
// run on the worker that read the request and reach Redis through the bridge.
#pragma once

#include "common/http/route_table.hpp"
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

class management_api {
public:
    management_api(management_settings settings, redis::bridge& redis, std::atomic<bool> const& draining,
                   metrics::registry& registry);

    void add_routes(web::route_table& routes);

    // The request handlers' shared parts (management_api.cpp).
    management_settings const& settings() const { return settings_; }
    redis::bridge& redis() { return redis_; }
    bool draining() const { return draining_.load(std::memory_order_relaxed); }
    void count(unsigned status);

private:
    management_settings settings_;
    redis::bridge& redis_;
    std::atomic<bool> const& draining_;
    std::map<unsigned, metrics::counter*> requests_;  // by status; filled before serving, read-only after
};

} // namespace ssegw::webhooks

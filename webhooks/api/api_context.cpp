#include "webhooks/api/api_context.hpp"

namespace ssegw::webhooks {

api_context::api_context(management_settings settings, redis::bridge& redis, std::atomic<bool> const& draining,
                         metrics::registry& registry)
    : settings_(std::move(settings)), redis_(redis), draining_(draining) {
    for (unsigned status : {200u, 201u, 204u, 400u, 401u, 403u, 404u, 409u, 429u, 500u, 503u})
        requests_[status] = &registry.add_counter("sse_gateway_webhook_requests_total",
                                                  "Webhook management API answers, by status.",
                                                  "status=\"" + std::to_string(status) + "\"");
}

void api_context::count(unsigned status) {
    if (auto it = requests_.find(status); it != requests_.end()) it->second->fetch_add(1, std::memory_order_relaxed);
}

} // namespace ssegw::webhooks

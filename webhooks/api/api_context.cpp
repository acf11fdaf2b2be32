#include "webhooks/api/api_context.hpp"

namespace ssegw::webhooks {

api_context::api_context(management_settings settings, redis::bridge& redis, std::atomic<bool> const& draining,
                         metrics::registry& registry, net::any_io_executor send_on)
    : settings_(std::move(settings)), redis_(redis), draining_(draining), send_on_(send_on),
      // One test per user at a time keeps this pool small; a connection kept per origin still
      // saves a repeated test its handshake.
      sender_(send_on, sender_options{&settings_.addresses, settings_.allow_http, settings_.ca_file, 1}) {
    for (unsigned status : {200u, 201u, 204u, 400u, 401u, 403u, 404u, 409u, 429u, 500u, 503u})
        requests_[status] = &registry.add_counter("sse_gateway_webhook_requests_total",
                                                  "Webhook management API answers, by status.",
                                                  "status=\"" + std::to_string(status) + "\"");
    for (std::size_t i = 0; i < tests_.size(); ++i)
        tests_[i] = &registry.add_counter("sse_gateway_webhook_tests_total",
                                          "Webhook test requests sent by the gateway, by outcome.",
                                          "result=\"" + std::string(name_of(static_cast<outcome>(i))) + "\"");
}

void api_context::count(unsigned status) {
    if (auto it = requests_.find(status); it != requests_.end()) it->second->fetch_add(1, std::memory_order_relaxed);
}

void api_context::count_test(outcome o) {
    auto i = static_cast<std::size_t>(o);
    if (i < tests_.size()) tests_[i]->fetch_add(1, std::memory_order_relaxed);
}

void api_context::send(attempt_request r, net::any_io_executor reply_to, std::function<void(attempt_result)> done) {
    net::post(send_on_, [this, r = std::move(r), reply_to, done = std::move(done)]() mutable {
        sender_.send(std::move(r), [reply_to, done = std::move(done)](attempt_result a) mutable {
            net::post(reply_to, [done = std::move(done), a = std::move(a)]() mutable { done(std::move(a)); });
        });
    });
}

} // namespace ssegw::webhooks

#include "webhooks/signing/signed_headers.hpp"

#include "webhooks/signing/signature.hpp"

namespace ssegw::webhooks {

header_list signed_headers(std::string_view type, std::string_view delivery_id, std::string_view event_id,
                           std::int64_t timestamp_s, std::string_view body, std::string_view current_key,
                           std::optional<std::string_view> previous_key) {
    // One timestamp string for both schemes: a receiver of either must see the same attempt time.
    auto const ts = std::to_string(timestamp_s);
    header_list h;
    h.reserve(8);
    h.emplace_back("Content-Type", "application/json");
    h.emplace_back("X-SaaS-Event", std::string(type));
    h.emplace_back("X-SaaS-Delivery-Id", std::string(delivery_id));
    h.emplace_back("X-SaaS-Timestamp", ts);
    h.emplace_back("X-SaaS-Signature", saas_signature(current_key, timestamp_s, body));
    h.emplace_back("webhook-id", std::string(event_id));
    h.emplace_back("webhook-timestamp", ts);
    h.emplace_back("webhook-signature", webhook_signature_header(current_key, previous_key, event_id, timestamp_s, body));
    return h;
}

} // namespace ssegw::webhooks

// The signed headers of one webhook request (docs/WEBHOOKS.md, "What your server receives"), built in one place so
// that the delivery workers and the gateway's test request send exactly the same ones. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssegw::webhooks {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// In this order: Content-Type, X-SaaS-Event, X-SaaS-Delivery-Id, X-SaaS-Timestamp,
/// X-SaaS-Signature, webhook-id, webhook-timestamp, webhook-signature. The sender adds Host,
/// User-Agent, Content-Length and Connection itself.
///
/// `event_id` is the webhook-id (= the body's `id`); `timestamp_s` is the attempt's start, the same
/// in both timestamp headers. X-SaaS-Signature is signed with `current_key` only (seed 000's
/// verifier compares the whole header with one value); webhook-signature lists the current key's
/// entry and, during a rotation's grace, the previous key's after it. Keys are the secrets'
/// characters as bytes. Every value comes from the caller's checked ids and type, digits, hex or
/// base64, so none can hold a line break.
header_list signed_headers(std::string_view type, std::string_view delivery_id, std::string_view event_id,
                           std::int64_t timestamp_s, std::string_view body, std::string_view current_key,
                           std::optional<std::string_view> previous_key);

} // namespace ssegw::webhooks

// The two signatures every webhook request carries: X-SaaS-Signature (the platform's original
// scheme) and Standard Webhooks' webhook-signature. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssegw::webhooks {

// Every function takes the HMAC key as bytes. The sender passes a secret's characters unchanged
// (never a hex or base64 decoding of them), which is what both kinds of receiver use as the key.

/// `sha256=` + lowercase hex HMAC-SHA256(key, "<timestamp>.<body>"): the X-SaaS-Signature value.
std::string saas_signature(std::string_view key, std::int64_t timestamp_seconds, std::string_view body);

/// `v1,` + base64 HMAC-SHA256(key, "<webhook_id>.<timestamp>.<body>"): one webhook-signature entry.
std::string standard_signature(std::string_view key, std::string_view webhook_id, std::int64_t timestamp_seconds,
                               std::string_view body);

/// The webhook-signature value: the current key's entry, then, during a rotation's grace, a space
/// and the previous key's, so a receiver holding either secret verifies.
std::string webhook_signature_header(std::string_view current_key, std::optional<std::string_view> previous_key,
                                     std::string_view webhook_id, std::int64_t timestamp_seconds,
                                     std::string_view body);

/// `whsec_` + base64 of the secret's characters: the form Standard Webhooks libraries decode back
/// to the very bytes we sign with.
std::string standard_webhooks_secret(std::string_view secret);

} // namespace ssegw::webhooks

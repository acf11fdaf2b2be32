// Webhook signing secrets: made from RAND_bytes or taken as given, checked, and shown in the
// Standard Webhooks form. The HMAC key of both signature schemes is the secret's characters.
#pragma once

#include <string>
#include <string_view>

namespace ssegw::webhooks {

/// 64 lowercase hex digits of 32 random bytes.
std::string make_secret();

/// 16-128 characters, each 0x21-0x7E, not starting with `whsec_` (Standard Webhooks libraries
/// would base64-decode such a secret and sign with other bytes).
bool valid_secret(std::string_view s);

/// `whsec_` + base64 of the secret's characters: the same key for Standard Webhooks libraries.
std::string standard_webhooks_form(std::string_view secret);

} // namespace ssegw::webhooks

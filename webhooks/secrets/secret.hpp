// Webhook signing secrets: made from RAND_bytes or taken as given, and checked. The HMAC key of
// both signature schemes is the secret's characters (webhooks/signing).
#pragma once

#include <string>
#include <string_view>

namespace ssegw::webhooks {

/// 64 lowercase hex digits of 32 random bytes.
std::string make_secret();

/// 16-128 characters, each 0x21-0x7E, not starting with `whsec_` (Standard Webhooks libraries
/// would base64-decode such a secret and sign with other bytes).
bool valid_secret(std::string_view s);

} // namespace ssegw::webhooks

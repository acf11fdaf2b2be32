// Standard base64 (RFC 4648 with padding) through OpenSSL: sealed secrets, the Standard Webhooks
// secret form and signatures.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ssegw::base64 {

std::string encode(std::string_view bytes);
/// nullopt unless `text` is padded standard base64.
std::optional<std::string> decode(std::string_view text);

} // namespace ssegw::base64

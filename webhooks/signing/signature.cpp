#include "webhooks/signing/signature.hpp"

#include "common/base64.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace ssegw::webhooks {
namespace {

std::string hmac_sha256(std::string_view key, std::string_view message) {
    // OpenSSL may read a null key pointer as "no key given"; an empty key is still a key.
    static constexpr unsigned char no_key = 0;
    auto const* key_bytes = key.empty() ? &no_key : reinterpret_cast<unsigned char const*>(key.data());
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
              reinterpret_cast<unsigned char const*>(message.data()), message.size(), md, &md_len))
        throw std::runtime_error("webhook signature: HMAC failed");
    return std::string(reinterpret_cast<char const*>(md), md_len);
}

std::string lower_hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex(2 * bytes.size(), '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto b = static_cast<unsigned char>(bytes[i]);
        hex[2 * i] = digits[b >> 4];
        hex[2 * i + 1] = digits[b & 0x0f];
    }
    return hex;
}

} // namespace

std::string saas_signature(std::string_view key, std::int64_t timestamp_seconds, std::string_view body) {
    std::string message = std::to_string(timestamp_seconds);
    message += '.';
    message += body;
    return "sha256=" + lower_hex(hmac_sha256(key, message));
}

std::string standard_signature(std::string_view key, std::string_view webhook_id, std::int64_t timestamp_seconds,
                               std::string_view body) {
    std::string message(webhook_id);
    message += '.';
    message += std::to_string(timestamp_seconds);
    message += '.';
    message += body;
    return "v1," + base64::encode(hmac_sha256(key, message));
}

std::string webhook_signature_header(std::string_view current_key, std::optional<std::string_view> previous_key,
                                     std::string_view webhook_id, std::int64_t timestamp_seconds,
                                     std::string_view body) {
    std::string header = standard_signature(current_key, webhook_id, timestamp_seconds, body);
    if (previous_key) {
        header += ' ';
        header += standard_signature(*previous_key, webhook_id, timestamp_seconds, body);
    }
    return header;
}

std::string standard_webhooks_secret(std::string_view secret) { return "whsec_" + base64::encode(secret); }

} // namespace ssegw::webhooks

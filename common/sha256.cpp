#include "common/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace ssegw {
namespace {

// OpenSSL 3 looks the algorithm up on every EVP_sha256() digest; fetch it once, since the
// gateway hashes a key on every stream request.
EVP_MD const* sha256_md() {
    static EVP_MD const* const md = [] {
        EVP_MD const* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        return fetched ? fetched : EVP_sha256();
    }();
    return md;
}

} // namespace

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &md_len, sha256_md(), nullptr) != 1)
        throw std::runtime_error("sha256: EVP_Digest failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex(2 * md_len, '\0');
    for (unsigned int i = 0; i < md_len; ++i) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 0x0f];
    }
    return hex;
}

} // namespace ssegw

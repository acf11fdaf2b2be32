#include "webhooks/secrets/secret.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace ssegw::webhooks {

std::string make_secret() {
    unsigned char b[32];
    if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(64);
    for (unsigned char c : b) {
        s += digits[c >> 4];
        s += digits[c & 0x0f];
    }
    return s;
}

bool valid_secret(std::string_view s) {
    if (s.size() < 16 || s.size() > 128 || s.substr(0, 6) == "whsec_") return false;
    for (unsigned char c : s)
        if (c < 0x21 || c > 0x7e) return false;
    return true;
}

} // namespace ssegw::webhooks

#include "common/ids/uuid.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <stdexcept>

namespace ssegw::ids {

std::string make_uuid7(std::int64_t unix_ms) {
    unsigned char b[16];
    if (RAND_bytes(b + 6, 10) != 1) throw std::runtime_error("RAND_bytes failed");
    auto ms = static_cast<std::uint64_t>(unix_ms);
    for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
    b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0f));  // version 7
    b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));  // variant 10
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
        s += digits[b[i] >> 4];
        s += digits[b[i] & 0x0f];
    }
    return s;
}

std::string make_uuid7() {
    using namespace std::chrono;
    return make_uuid7(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::optional<std::string> normalize_uuid(std::string_view s) {
    if (s.size() != 36) return std::nullopt;
    std::string out(s);
    for (std::size_t i = 0; i < out.size(); ++i) {
        char& c = out[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return std::nullopt;
            continue;
        }
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
        else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    }
    return out;
}

} // namespace ssegw::ids

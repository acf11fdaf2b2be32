#include "webhooks/delivery/response_text.hpp"

namespace ssegw::webhooks {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";

// The continuation bytes a lead byte needs and the range its first continuation byte must be in
// (Unicode's table of well-formed sequences: no overlongs, no surrogates, nothing past U+10FFFF).
struct lead_rule {
    int continuation = -1;  // -1: not a lead byte
    unsigned char lo = 0x80, hi = 0xBF;
};

lead_rule rule_of(unsigned char b) {
    if (b >= 0xC2 && b <= 0xDF) return {1, 0x80, 0xBF};
    if (b == 0xE0) return {2, 0xA0, 0xBF};
    if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) return {2, 0x80, 0xBF};
    if (b == 0xED) return {2, 0x80, 0x9F};
    if (b == 0xF0) return {3, 0x90, 0xBF};
    if (b >= 0xF1 && b <= 0xF3) return {3, 0x80, 0xBF};
    if (b == 0xF4) return {3, 0x80, 0x8F};
    return {};
}

} // namespace

std::string response_text(std::string_view received, bool whole) {
    if (received.size() > response_body_limit) {
        received = received.substr(0, response_body_limit);
        whole = false;
    }
    std::string out;
    out.reserve(received.size());
    std::size_t i = 0, n = received.size();
    while (i < n) {
        auto b = static_cast<unsigned char>(received[i]);
        if (b < 0x80) {
            out += static_cast<char>(b);
            ++i;
            continue;
        }
        auto rule = rule_of(b);
        if (rule.continuation < 0) {
            out += replacement;
            ++i;
            continue;
        }
        std::size_t k = 1;  // bytes of the sequence that are well-formed so far
        bool bad = false;
        for (; k <= static_cast<std::size_t>(rule.continuation); ++k) {
            if (i + k >= n) break;
            auto c = static_cast<unsigned char>(received[i + k]);
            auto lo = k == 1 ? rule.lo : static_cast<unsigned char>(0x80);
            auto hi = k == 1 ? rule.hi : static_cast<unsigned char>(0xBF);
            if (c < lo || c > hi) {
                bad = true;
                break;
            }
        }
        if (bad) {  // the maximal subpart [i, i+k) becomes one U+FFFD; the byte at i+k starts afresh
            out += replacement;
            i += k;
        } else if (k <= static_cast<std::size_t>(rule.continuation)) {
            // The bytes ran out inside a well-formed prefix: a character cut by the limit is
            // dropped; at the body's real end it is an incomplete sequence.
            if (whole) out += replacement;
            i = n;
        } else {
            out.append(received.substr(i, k));
            i += k;
        }
    }
    return out;
}

} // namespace ssegw::webhooks

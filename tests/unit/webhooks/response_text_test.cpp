// webhooks/delivery/response_text: a delivery record's responseBody (docs/WEBHOOKS.md, "The delivery
// log") — valid UTF-8 kept, every ill-formed sequence one U+FFFD per maximal subpart, the 4096-byte
// limit cutting at a character boundary, and an incomplete sequence at the body's real end replaced.
#include "webhooks/delivery/response_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wh = ssegw::webhooks;

namespace {

std::string const fffd = "\xEF\xBF\xBD";

std::string text(std::string const& bytes, bool whole = true) { return wh::response_text(bytes, whole); }

TEST(response_text, an_empty_body_is_an_empty_string) {
    EXPECT_EQ(text(""), "");
    EXPECT_EQ(text("", false), "");
}

TEST(response_text, valid_utf8_is_kept_byte_for_byte) {
    EXPECT_EQ(text("{\"ok\":true}"), "{\"ok\":true}");
    std::string mixed = "caf\xC3\xA9 \xE6\x8E\x92\xE9\x9A\x8A \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xED\x9F\xBF \xEE\x80\x80";
    EXPECT_EQ(text(mixed), mixed);
    EXPECT_EQ(text(std::string("a\0b", 3)), std::string("a\0b", 3));  // NUL is valid UTF-8
}

TEST(response_text, each_maximal_subpart_of_an_ill_formed_sequence_is_one_replacement) {
    EXPECT_EQ(text("a\xFF" "b"), "a" + fffd + "b");
    EXPECT_EQ(text("\x80"), fffd);                                 // a lone continuation byte
    EXPECT_EQ(text("\xE2\x82" "A"), fffd + "A");                   // a truncated 3-byte sequence, then ASCII
    EXPECT_EQ(text("\xC0\xAF"), fffd + fffd);                      // overlong: C0 is never a lead byte
    EXPECT_EQ(text("\xE0\x80\x80"), fffd + fffd + fffd);           // overlong 3-byte
    EXPECT_EQ(text("\xED\xA0\x80"), fffd + fffd + fffd);           // a surrogate (U+D800)
    EXPECT_EQ(text("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // past U+10FFFF
    EXPECT_EQ(text("\xF0\x80"), fffd + fffd);
    EXPECT_EQ(text("\xF0\x9F\x98" "x"), fffd + "x");               // 3 of 4 bytes, then ASCII
    EXPECT_EQ(text("\xF8\x88\x80\x80\x80"), fffd + fffd + fffd + fffd + fffd);
}

TEST(response_text, an_incomplete_sequence_at_the_real_end_is_a_replacement) {
    EXPECT_EQ(text("ab\xE2\x82"), "ab" + fffd);
    EXPECT_EQ(text("ab\xF0\x9F\x98"), "ab" + fffd);
    EXPECT_EQ(text("ab\xC3"), "ab" + fffd);
}

TEST(response_text, a_character_cut_short_of_the_real_end_is_dropped) {
    // whole = false: the body went on (a read cut short by the deadline or a reset).
    EXPECT_EQ(text("ab\xE2\x82", false), "ab");
    EXPECT_EQ(text("ab\xF0\x9F\x98", false), "ab");
    EXPECT_EQ(text("ab\xFF", false), "ab" + fffd);  // not a prefix of anything: still a replacement
}

TEST(response_text, the_4096_byte_limit_cuts_at_a_character_boundary) {
    std::string const a4095(4095, 'a'), a4094(4094, 'a'), a4096(4096, 'a');
    // 4097 bytes: the limit falls inside "é" (C3 A9), which is dropped.
    EXPECT_EQ(text(a4095 + "\xC3\xA9"), a4095);
    // Exactly 4096 bytes ending in a whole character: all kept.
    EXPECT_EQ(text(a4094 + "\xC3\xA9"), a4094 + "\xC3\xA9");
    // More than the limit: the first 4096 bytes only.
    EXPECT_EQ(text(a4096 + "bcd"), a4096);
    // A 4-byte character cut after 2 bytes by the limit: dropped.
    EXPECT_EQ(text(a4094 + "\xF0\x9F\x98\x80"), a4094);
    // A lead byte at byte 4096 whose continuation came after the limit: dropped.
    EXPECT_EQ(text(a4095 + "\xE0\x80"), a4095);
    // An ill-formed byte inside the limit is still replaced.
    EXPECT_EQ(text(a4095 + "\xFF" "b"), a4095 + fffd);
    // 4096 bytes that are the whole body, ending in an incomplete sequence: replaced.
    EXPECT_EQ(text(a4094 + "\xE2\x82"), a4094 + fffd);
    // The same 4096 bytes when the body went on: dropped.
    EXPECT_EQ(text(a4094 + "\xE2\x82", false), a4094);
}

TEST(response_text, replacements_can_make_the_text_longer_than_the_limit) {
    std::string const ff(5000, '\xFF');
    std::string want;
    for (int i = 0; i < 4096; ++i) want += fffd;
    EXPECT_EQ(text(ff), want);
    EXPECT_EQ(text(ff).size(), 3u * 4096u);
}

} // namespace

// webhooks/secrets/secret: made secrets (64 lowercase hex of 32 RAND_bytes) and the rule for
// given ones (16-128 printable ASCII, not `whsec_…`), docs/WEBHOOKS.md, "Validation" and "The secret".
#include "webhooks/secrets/secret.hpp"

#include "common/hex.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace wh = ssegw::webhooks;

TEST(make_secret, is_64_lowercase_hex_and_new_each_call) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto s = wh::make_secret();
        EXPECT_EQ(s.size(), 64u);
        EXPECT_TRUE(ssegw::is_hex64(s)) << s;
        EXPECT_TRUE(wh::valid_secret(s)) << s;
        seen.insert(s);
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(valid_secret, length_16_to_128) {
    EXPECT_FALSE(wh::valid_secret(""));
    EXPECT_FALSE(wh::valid_secret(std::string(15, 'a')));
    EXPECT_TRUE(wh::valid_secret(std::string(16, 'a')));
    EXPECT_TRUE(wh::valid_secret(std::string(128, 'a')));
    EXPECT_FALSE(wh::valid_secret(std::string(129, 'a')));
}

TEST(valid_secret, printable_ascii_only) {
    EXPECT_TRUE(wh::valid_secret("!!!!!!!!~~~~~~~~"));  // 0x21 and 0x7E
    EXPECT_TRUE(wh::valid_secret(R"(A"b\c'd{e}f[g]h<i>)"));
    for (char bad : {' ', '\t', '\n', '\0', '\x1f', '\x7f', '\x80', '\xff'}) {
        std::string s(20, 'a');
        s[10] = bad;
        EXPECT_FALSE(wh::valid_secret(s)) << static_cast<int>(bad);
        s[10] = 'a';
        s[0] = bad;
        EXPECT_FALSE(wh::valid_secret(s)) << static_cast<int>(bad);
    }
    EXPECT_FALSE(wh::valid_secret("0123456789abcdé"));  // 16 bytes, one non-ASCII character
}

TEST(valid_secret, whsec_prefix_refused) {
    EXPECT_FALSE(wh::valid_secret("whsec_MDEyMzQ1Njc4OWFiY2RlZg=="));
    EXPECT_FALSE(wh::valid_secret("whsec_0123456789abcdef"));
    EXPECT_TRUE(wh::valid_secret("WHSEC_0123456789abcdef"));  // only the exact prefix libraries decode
    EXPECT_TRUE(wh::valid_secret("whsec0123456789abcdef"));
    EXPECT_TRUE(wh::valid_secret("my_whsec_0123456789abcdef"));
}

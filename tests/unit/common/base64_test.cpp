// common/base64: padded standard base64 (RFC 4648) as sealed secrets, whsec_ secrets and
// signatures use it; decode refuses anything else.
#include "common/base64.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace b64 = ssegw::base64;

TEST(base64, rfc4648_vectors) {
    EXPECT_EQ(b64::encode(""), "");
    EXPECT_EQ(b64::encode("f"), "Zg==");
    EXPECT_EQ(b64::encode("fo"), "Zm8=");
    EXPECT_EQ(b64::encode("foo"), "Zm9v");
    EXPECT_EQ(b64::encode("foob"), "Zm9vYg==");
    EXPECT_EQ(b64::encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(b64::encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(b64::decode(""), "");
    EXPECT_EQ(b64::decode("Zg=="), "f");
    EXPECT_EQ(b64::decode("Zm8="), "fo");
    EXPECT_EQ(b64::decode("Zm9v"), "foo");
    EXPECT_EQ(b64::decode("Zm9vYg=="), "foob");
    EXPECT_EQ(b64::decode("Zm9vYmE="), "fooba");
    EXPECT_EQ(b64::decode("Zm9vYmFy"), "foobar");
}

TEST(base64, standard_alphabet_not_url_safe) {
    EXPECT_EQ(b64::encode("\xfb\xff\xbf"), "+/+/");
    EXPECT_EQ(b64::decode("+/+/"), "\xfb\xff\xbf");
    EXPECT_EQ(b64::decode("-_-_"), std::nullopt);
}

TEST(base64, binary_round_trip_of_every_length_and_byte) {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (std::size_t n = 0; n <= all.size(); ++n) {
        auto bytes = all.substr(all.size() - n);  // includes NULs and high bytes
        auto text = b64::encode(bytes);
        EXPECT_EQ(text.size(), 4 * ((n + 2) / 3));
        auto back = b64::decode(text);
        ASSERT_TRUE(back) << n;
        EXPECT_EQ(*back, bytes) << n;
    }
}

TEST(base64, decode_refuses_unpadded_and_malformed) {
    for (auto bad : {"Zg", "Zg=", "Zm8", "Zm9vY", "Z===", "=Zg=", "Zg=a", "Z=g=", "Zm9v\n", "Zm 9v", "Zm9v====",
                     "Zm9vYg==Zm9v", "Zm9*", "Zm9\xc3\xa9"})
        EXPECT_EQ(b64::decode(bad), std::nullopt) << bad;
}

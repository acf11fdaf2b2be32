// Small shared helpers: is_hex64 (key hashes, tickets) and jittered (retry spreading).
#include "common/hex.hpp"
#include "common/jitter.hpp"
#include "common/sha256.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

TEST(hex64, accepts_only_64_lowercase_hex) {
    EXPECT_TRUE(ssegw::is_hex64(std::string(32, '0') + std::string(32, 'f')));
    EXPECT_TRUE(ssegw::is_hex64("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    EXPECT_TRUE(ssegw::is_hex64(ssegw::sha256_hex("key")));
    EXPECT_FALSE(ssegw::is_hex64(""));
    EXPECT_FALSE(ssegw::is_hex64(std::string(63, 'a')));
    EXPECT_FALSE(ssegw::is_hex64(std::string(65, 'a')));
    EXPECT_FALSE(ssegw::is_hex64(std::string(64, 'A')));
    for (char bad : {'g', ' ', 'G', '-', '\0'}) {
        std::string s(64, 'a');  // (built in place: GCC 12 warns falsely on std::string + literal here)
        s[63] = bad;
        EXPECT_FALSE(ssegw::is_hex64(s)) << static_cast<int>(bad);
        s[63] = 'a';
        s[0] = bad;
        EXPECT_FALSE(ssegw::is_hex64(s)) << static_cast<int>(bad);
    }
}

TEST(jittered, unsigned_values_stay_in_bounds_and_vary) {
    std::set<unsigned> seen;
    for (int i = 0; i < 1000; ++i) {
        auto v = ssegw::jittered(100u, 110u);
        EXPECT_GE(v, 100u);
        EXPECT_LE(v, 110u);
        seen.insert(v);
    }
    EXPECT_GT(seen.size(), 1u);
    EXPECT_EQ(ssegw::jittered(7u, 7u), 7u);
}

TEST(jittered, double_values_stay_in_bounds_and_vary) {
    std::set<double> seen;
    for (int i = 0; i < 1000; ++i) {
        auto v = ssegw::jittered(0.5, 1.5);
        EXPECT_GE(v, 0.5);
        EXPECT_LE(v, 1.5);
        seen.insert(v);
    }
    EXPECT_GT(seen.size(), 1u);
}

// common/ids/uuid: the UUIDv7 every id the platform makes is (RFC 9562 layout: 48-bit unix ms,
// version 7, variant 10, lowercase 8-4-4-4-12), and the check-and-lowercase of given UUIDs.
#include "common/ids/uuid.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>

namespace ids = ssegw::ids;

namespace {

bool lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

void expect_uuid_shape(std::string const& u) {
    ASSERT_EQ(u.size(), 36u) << u;
    for (std::size_t i = 0; i < u.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) EXPECT_EQ(u[i], '-') << u;
        else EXPECT_TRUE(lower_hex(u[i])) << u << " at " << i;
    }
}

} // namespace

TEST(uuid7, timestamp_is_the_first_48_bits_big_endian) {
    auto u = ids::make_uuid7(0x0123456789ab);
    expect_uuid_shape(u);
    EXPECT_EQ(u.substr(0, 13), "01234567-89ab");
    EXPECT_EQ(ids::make_uuid7(0).substr(0, 13), "00000000-0000");
    // 2026-01-29T10:30:05.123Z
    EXPECT_EQ(ids::make_uuid7(1769682605123).substr(0, 13), "019c094d-9443");
    EXPECT_EQ(ids::make_uuid7(0xffffffffffff).substr(0, 13), "ffffffff-ffff");
}

TEST(uuid7, version_7_and_variant_10) {
    for (int i = 0; i < 200; ++i) {
        auto u = ids::make_uuid7(1769682605123);
        expect_uuid_shape(u);
        EXPECT_EQ(u[14], '7') << u;
        EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
    }
}

TEST(uuid7, random_part_differs_each_call) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(ids::make_uuid7(42));
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(uuid7, now_form_is_a_valid_v7_that_sorts_with_time) {
    auto a = ids::make_uuid7();
    expect_uuid_shape(a);
    EXPECT_EQ(a[14], '7');
    EXPECT_EQ(ids::normalize_uuid(a), a);
    // Later milliseconds sort later, whatever the random bits.
    EXPECT_LT(ids::make_uuid7(1000), ids::make_uuid7(1001));
    EXPECT_LT(ids::make_uuid7(0xff), ids::make_uuid7(0x100));
}

TEST(normalize_uuid, lowercases_any_version_in_any_case) {
    EXPECT_EQ(ids::normalize_uuid("4F9B2C3E-8A1D-4E6F-9B7A-2C5D8E1F3A40"), "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40");
    EXPECT_EQ(ids::normalize_uuid("4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40"), "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40");
    EXPECT_EQ(ids::normalize_uuid("00000000-0000-0000-0000-000000000000"), "00000000-0000-0000-0000-000000000000");
    EXPECT_EQ(ids::normalize_uuid("ABCDEFAB-cdef-1234-5678-90abCDEF0123"), "abcdefab-cdef-1234-5678-90abcdef0123");
}

TEST(normalize_uuid, refuses_other_shapes) {
    for (auto bad : {"", "4f9b2c3e8a1d4e6f9b7a2c5d8e1f3a40",          // no hyphens
                     "{4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40}",        // braces
                     "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a4",           // 35
                     "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a400",         // 37
                     "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a4g",          // g
                     "4f9b2c3e8-a1d-4e6f-9b7a-2c5d8e1f3a40",          // hyphen moved
                     "4f9b2c3e-8a1d-4e6f-9b7a_2c5d8e1f3a40",          // underscore
                     "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a4 ",          // space
                     "urn:uuid:4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1"})
        EXPECT_EQ(ids::normalize_uuid(bad), std::nullopt) << bad;
}

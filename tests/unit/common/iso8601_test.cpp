// common/time/iso8601: the API's time stamps (`2026-01-29T10:30:05.123Z` out) and the ISO 8601
// forms accepted in (an explicit zone required; a date alone for day bounds).
#include "common/time/iso8601.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace iso = ssegw::iso8601;

constexpr std::int64_t example_ms = 1769682605123;  // 2026-01-29T10:30:05.123Z

TEST(iso8601_format, utc_with_milliseconds) {
    EXPECT_EQ(iso::format_ms(example_ms), "2026-01-29T10:30:05.123Z");
    EXPECT_EQ(iso::format_ms(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(iso::format_ms(1), "1970-01-01T00:00:00.001Z");
    EXPECT_EQ(iso::format_ms(-1), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(iso::format_ms(1709164800000), "2024-02-29T00:00:00.000Z");
    EXPECT_EQ(iso::format_ms(951868800000 - 1), "2000-02-29T23:59:59.999Z");
    EXPECT_EQ(iso::format_ms(253402300799999), "9999-12-31T23:59:59.999Z");
    EXPECT_EQ(iso::format_ms(-62135596800000), "0001-01-01T00:00:00.000Z");
}

TEST(iso8601_parse_date_time, utc_forms) {
    EXPECT_EQ(iso::parse_date_time("2026-01-29T10:30:05.123Z"), example_ms);
    EXPECT_EQ(iso::parse_date_time("2026-01-29T10:30:05Z"), example_ms - 123);
    EXPECT_EQ(iso::parse_date_time("2026-01-29T10:30:05.1Z"), example_ms - 23);
    EXPECT_EQ(iso::parse_date_time("2026-01-29T10:30:05.12Z"), example_ms - 3);
    // Digits past the millisecond are cut, not rounded.
    EXPECT_EQ(iso::parse_date_time("2026-01-29T10:30:05.123999999Z"), example_ms);
    EXPECT_EQ(iso::parse_date_time("1970-01-01T00:00:00.000Z"), 0);
    EXPECT_EQ(iso::parse_date_time("2024-02-29T00:00:00Z"), 1709164800000);
}

TEST(iso8601_parse_date_time, offsets_are_converted_to_utc) {
    EXPECT_EQ(iso::parse_date_time("2026-01-29T18:30:05.123+08:00"), example_ms);
    EXPECT_EQ(iso::parse_date_time("2026-01-29T05:00:05.123-05:30"), example_ms);
    EXPECT_EQ(iso::parse_date_time("2026-01-29T10:30:05.123+00:00"), example_ms);
    EXPECT_EQ(iso::parse_date_time("2026-01-29T10:30:05.123-00:00"), example_ms);
    // Across a day boundary.
    EXPECT_EQ(iso::parse_date_time("2026-01-30T02:00:00+08:00"), iso::parse_date_time("2026-01-29T18:00:00Z"));
    // Round trip through the output form.
    EXPECT_EQ(iso::parse_date_time(iso::format_ms(example_ms)), example_ms);
}

TEST(iso8601_parse_date_time, refuses_bad_shapes_and_impossible_times) {
    for (auto bad : {"", "2026-01-29", "2026-01-29T10:30:05", "2026-01-29T10:30:05.123",  // no zone
                     "2026-01-29 10:30:05Z", "2026-01-29t10:30:05Z", "2026-01-29T10:30:05z",
                     "2026-01-29T10:30Z", "2026-1-29T10:30:05Z", "26-01-29T10:30:05Z",
                     "2026-01-29T10:30:05.Z", "2026-01-29T10:30:05,123Z", "2026-01-29T10:30:05.123ZZ",
                     "2026-01-29T10:30:05+0800", "2026-01-29T10:30:05+08", "2026-01-29T10:30:05+24:00",
                     "2026-01-29T10:30:05+08:60", "2026-01-29T10:30:05 +08:00", "2026-01-29T24:00:00Z",
                     "2026-01-29T10:60:05Z", "2026-01-29T10:30:60Z", "2026-02-29T10:30:05Z",
                     "2026-13-01T10:30:05Z", "2026-00-01T10:30:05Z", "2026-04-31T10:30:05Z",
                     "2026-01-00T10:30:05Z", "2026-01-29T1a:30:05Z", "+2026-01-29T10:30:05Z"})
        EXPECT_EQ(iso::parse_date_time(bad), std::nullopt) << bad;
}

TEST(iso8601_parse_date, start_of_the_utc_day) {
    EXPECT_EQ(iso::parse_date("2026-01-29"), example_ms - (10 * 3600 + 30 * 60 + 5) * 1000ll - 123);
    EXPECT_EQ(iso::parse_date("1970-01-01"), 0);
    EXPECT_EQ(iso::parse_date("2024-02-29"), 1709164800000);
    EXPECT_EQ(iso::parse_date("1969-12-31"), -86400000);
}

TEST(iso8601_parse_date, refuses_anything_but_a_real_date) {
    for (auto bad : {"", "2026-01-29T00:00:00Z", "2026-01-29Z", "2026-02-29", "2026-02-30", "2026-13-01",
                     "2026-00-10", "2026-01-32", "2026/01/29", "2026-1-29", "20260129", " 2026-01-29"})
        EXPECT_EQ(iso::parse_date(bad), std::nullopt) << bad;
}

TEST(iso8601_now, is_current_unix_ms) {
    auto now = iso::now_ms();
    EXPECT_GT(now, example_ms - 366ll * 86400000);  // this test was written in 2026
    EXPECT_LT(now, 4102444800000);                  // before 2100
}

// sse::event_id: Redis stream entry ids used as SSE ids (Last-Event-ID maps to a log position).
#include "common/sse/event_id.hpp"

#include <gtest/gtest.h>

#include <string>

using ssegw::sse::event_id;
using ssegw::sse::parse_event_id;

TEST(event_id_parse, accepts_redis_entry_ids) {
    auto zero = parse_event_id("0-0");
    ASSERT_TRUE(zero.has_value());
    EXPECT_EQ(zero->ms, 0u);
    EXPECT_EQ(zero->seq, 0u);

    auto id = parse_event_id("1738000000000-5");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->ms, 1738000000000u);
    EXPECT_EQ(id->seq, 5u);
}

TEST(event_id_parse, accepts_the_largest_64_bit_parts) {
    auto id = parse_event_id("18446744073709551615-18446744073709551615");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->ms, 18446744073709551615ull);
    EXPECT_EQ(id->seq, 18446744073709551615ull);
}

TEST(event_id_parse, rejects_malformed_text) {
    for (std::string const bad : {"", "abc", "1-", "-1", "-", "1", "1-2-3", "+1-2", "1-+2", " 1-2", "1-2 ", "1 -2",
                                  "1- 2", "1-2\n", "0x1-2", "1.0-2", "1_2", "１-2", "1-a", "a-1"})
        EXPECT_FALSE(parse_event_id(bad).has_value()) << '"' << bad << '"';
}

TEST(event_id_parse, rejects_embedded_nul) {
    EXPECT_FALSE(parse_event_id(std::string("1-2\0", 4)).has_value());
    EXPECT_FALSE(parse_event_id(std::string("1\0-2", 4)).has_value());
}

TEST(event_id_parse, rejects_21_digit_parts) {
    EXPECT_FALSE(parse_event_id("100000000000000000000-0").has_value());
    EXPECT_FALSE(parse_event_id("0-100000000000000000000").has_value());
    EXPECT_FALSE(parse_event_id("000000000000000000001-0").has_value());
}

TEST(event_id_parse, rejects_uint64_overflow) {
    EXPECT_FALSE(parse_event_id("18446744073709551616-0").has_value());
    EXPECT_FALSE(parse_event_id("0-18446744073709551616").has_value());
    EXPECT_FALSE(parse_event_id("99999999999999999999-0").has_value());
}

TEST(event_id_order, orders_by_ms_then_seq) {
    EXPECT_LT(*parse_event_id("1-5"), *parse_event_id("2-0"));
    EXPECT_LT(*parse_event_id("1-5"), *parse_event_id("1-6"));
    EXPECT_LT(*parse_event_id("9-0"), *parse_event_id("10-0"));  // numeric, not lexicographic
    EXPECT_LT(*parse_event_id("1-9"), *parse_event_id("1-10"));
    EXPECT_EQ(*parse_event_id("7-3"), (event_id{7, 3}));
    EXPECT_GT(*parse_event_id("1738000000001-0"), *parse_event_id("1738000000000-99"));
    EXPECT_FALSE(*parse_event_id("3-3") < *parse_event_id("3-3"));
}

TEST(event_id_string, round_trips) {
    for (std::string const text : {"0-0", "1-0", "1738000000000-5", "18446744073709551615-18446744073709551615"}) {
        auto id = parse_event_id(text);
        ASSERT_TRUE(id.has_value()) << text;
        EXPECT_EQ(id->to_string(), text);
        EXPECT_EQ(parse_event_id(id->to_string()), id);
    }
    EXPECT_EQ((event_id{42, 7}).to_string(), "42-7");
}

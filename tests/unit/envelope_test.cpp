// parse_envelope / raw_member: the producer's {"id","event","data"} envelope, with `data`
// forwarded as the exact bytes published (never re-serialised).
#include "common/envelope.hpp"
#include "tests/support/bytes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

using ssegw::envelope;
using ssegw::parse_envelope;
using ssegw::raw_member;
using ssegw::it::is_view_into;  // the envelope's data must point into the payload, not into a copy

TEST(envelope_parse, valid_envelope) {
    std::string const payload =
        R"({"id":"1738000000000-5","event":"analysis_result","data":{"deviceId":"cam-1","n":1}})";
    std::string err;
    auto env = parse_envelope(payload, err);
    ASSERT_TRUE(env.has_value()) << err;
    EXPECT_EQ(env->id, "1738000000000-5");
    EXPECT_EQ(env->parsed_id.ms, 1738000000000u);
    EXPECT_EQ(env->parsed_id.seq, 5u);
    EXPECT_EQ(env->event, "analysis_result");
    EXPECT_EQ(env->data, R"({"deviceId":"cam-1","n":1})");
    EXPECT_TRUE(is_view_into(env->data, payload));
}

TEST(envelope_parse, data_is_the_exact_raw_bytes) {
    // Keys out of alphabetical order, numbers nlohmann would rewrite (0.10, 1e3), unicode both
    // raw and escaped, escaped quotes and backslashes, nested arrays and objects.
    std::string const data =
        R"({"z":1,"a":0.10,"m":1e3,"name":"caf\u00e9 Café 😀","q":"say \"hi\" \\","nested":{"b":[1,[2,{"c":null}],"]"],"a":{}},"t":true})";
    std::string const payload = R"({"event":"analysis_result","data":)" + data + R"(,"id":"5-0"})";
    std::string err;
    auto env = parse_envelope(payload, err);
    ASSERT_TRUE(env.has_value()) << err;
    EXPECT_EQ(env->data, data);
}

TEST(envelope_parse, whitespace_around_data_is_not_part_of_it) {
    std::string const payload = "{ \"id\" : \"1-0\" ,\n \"data\" :\t {\"a\": 1 , \"b\" : [ 1, 2 ] } \r\n , \"event\":\"e\" }";
    std::string err;
    auto env = parse_envelope(payload, err);
    ASSERT_TRUE(env.has_value()) << err;
    EXPECT_EQ(env->data, "{\"a\": 1 , \"b\" : [ 1, 2 ] }");
    EXPECT_EQ(env->event, "e");
}

TEST(envelope_parse, data_last_member_with_trailing_whitespace) {
    std::string err;
    auto env = parse_envelope("{\"id\":\"1-0\",\"data\":[1,2]   }", err);
    ASSERT_TRUE(env.has_value()) << err;
    EXPECT_EQ(env->data, "[1,2]");
}

TEST(envelope_parse, data_may_be_a_string_number_or_array) {
    for (std::string const raw : {R"("a \"quoted\" \\ string")", "0.10", "1e3", "-12", R"([1,"]",{"a":"["}])",
                                  "true", "\"\""}) {
        std::string const payload = R"({"id":"1-0","data":)" + raw + "}";
        std::string err;
        auto env = parse_envelope(payload, err);
        ASSERT_TRUE(env.has_value()) << raw << ": " << err;
        EXPECT_EQ(env->data, raw);
        std::string const spaced = R"({"id":"1-0","data": )" + raw + " }";
        env = parse_envelope(spaced, err);
        ASSERT_TRUE(env.has_value()) << raw << ": " << err;
        EXPECT_EQ(env->data, raw);
    }
}

TEST(envelope_parse, missing_event_defaults_to_analysis_result) {
    std::string err;
    auto env = parse_envelope(R"({"id":"1-0","data":{}})", err);
    ASSERT_TRUE(env.has_value()) << err;
    EXPECT_EQ(env->event, "analysis_result");
}

TEST(envelope_parse, keeps_a_custom_event_name) {
    std::string err;
    auto env = parse_envelope(R"({"id":"1-0","event":"device_offline","data":{}})", err);
    ASSERT_TRUE(env.has_value()) << err;
    EXPECT_EQ(env->event, "device_offline");
}

TEST(envelope_parse, rejects_bad_envelopes) {
    for (std::string const bad : {
             "",
             "not json",
             R"({"id":"1-0","data":{})",                 // truncated
             R"(["1-0",{}])",                            // not an object
             R"("just a string")",
             "42",
             R"({"event":"analysis_result","data":{}})", // missing id
             R"({"id":17,"data":{}})",                   // id not a string
             R"({"id":"abc","data":{}})",                // id not a stream id
             R"({"id":"1-2-3","data":{}})",
             R"({"id":"","data":{}})",
             R"({"id":"1-0","event":"bad\nname","data":{}})",
             R"({"id":"1-0","event":"bad\rname","data":{}})",
             R"({"id":"1-0","event":"bad\u0000name","data":{}})",
             R"({"id":"1-0","event":"","data":{}})",
             R"({"id":"1-0","event":7,"data":{}})",
             R"({"id":"1-0","event":"analysis_result"})", // missing data
         }) {
        std::string err;
        EXPECT_FALSE(parse_envelope(bad, err).has_value()) << bad;
        EXPECT_FALSE(err.empty()) << bad;
    }
}

TEST(envelope_parse, escaped_data_key_is_found) {
    std::string err;
    auto env = parse_envelope(R"({"id":"1-0","d\u0061ta":{"x":1}})", err);
    ASSERT_TRUE(env.has_value()) << err;
    EXPECT_EQ(env->data, R"({"x":1})");
}

TEST(envelope_parse, nested_data_key_does_not_win) {
    std::string err;
    auto env = parse_envelope(R"({"id":"1-0","data":{"data":1},"meta":{"data":"no"}})", err);
    ASSERT_TRUE(env.has_value()) << err;
    EXPECT_EQ(env->data, R"({"data":1})");
}

TEST(envelope_raw_member, last_duplicate_wins) {
    auto v = raw_member(R"({"data":1,"x":2,"data":[3]})", "data");
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, "[3]");

    std::string err;
    auto env = parse_envelope(R"({"id":"1-0","data":"first","data":"second"})", err);
    ASSERT_TRUE(env.has_value()) << err;
    EXPECT_EQ(env->data, R"("second")");
}

TEST(envelope_raw_member, escaped_key_matches) {
    auto v = raw_member(R"({"d\u0061ta":{"k":1}})", "data");
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, R"({"k":1})");
    EXPECT_FALSE(raw_member(R"({"d\u0061tax":1})", "data").has_value());
}

TEST(envelope_raw_member, strings_with_braces_and_quotes_do_not_confuse_it) {
    std::string_view const json =
        R"({"a":"}{\"data\":0}","b":["]\"",{"c":"}"}],"data\"":1,"data":{"s":"{[\\\"]}"},"z":"\\"})";
    auto v = raw_member(json, "data");
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, R"({"s":"{[\\\"]}"})");
}

TEST(envelope_raw_member, missing_key_or_not_an_object) {
    EXPECT_FALSE(raw_member(R"({"a":1})", "data").has_value());
    EXPECT_FALSE(raw_member(R"({})", "data").has_value());
    EXPECT_FALSE(raw_member(R"([{"data":1}])", "data").has_value());
    EXPECT_FALSE(raw_member(R"("data")", "data").has_value());
    EXPECT_FALSE(raw_member(R"({"x":{"data":1}})", "data").has_value());
}

TEST(envelope_raw_member, value_kinds) {
    std::string_view const json = R"({"s":"x","n":-1.5e-3,"t":true,"f":false,"z":null,"a":[],"o":{}})";
    EXPECT_EQ(raw_member(json, "s"), R"("x")");
    EXPECT_EQ(raw_member(json, "n"), "-1.5e-3");
    EXPECT_EQ(raw_member(json, "t"), "true");
    EXPECT_EQ(raw_member(json, "f"), "false");
    EXPECT_EQ(raw_member(json, "z"), "null");
    EXPECT_EQ(raw_member(json, "a"), "[]");
    EXPECT_EQ(raw_member(json, "o"), "{}");
}

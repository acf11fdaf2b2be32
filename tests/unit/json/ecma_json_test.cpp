// ecma_serialize: JSON re-serialised byte for byte as JSON.stringify(JSON.parse(text)), the bytes the
// webhook signature covers; and the refusals. tests/integration/ecma_json_differential_test.cpp
// compares it with Node itself.
#include "common/json/ecma_json.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

using ssegw::json::ecma_serialize;
using ssegw::json::ecma_serialize_event_data;

namespace {

std::string ser(std::string_view in) {
    std::string err;
    auto out = ecma_serialize(in, err);
    return out ? *out : "ERROR: " + err;
}

// The refusal's message, or "" when the input was accepted.
std::string refusal(std::string_view in) {
    std::string err;
    auto out = ecma_serialize(in, err);
    return out ? std::string() : err;
}

std::string data_refusal(std::string_view in) {
    std::string err;
    auto out = ecma_serialize_event_data(in, err);
    return out ? std::string() : err;
}

} // namespace

TEST(ecma_json, numbers_as_ecmascript_writes_them) {
    EXPECT_EQ(ser("1.50"), "1.5");
    EXPECT_EQ(ser("1E2"), "100");
    EXPECT_EQ(ser("1e21"), "1e+21");
    EXPECT_EQ(ser("1e20"), "100000000000000000000");
    EXPECT_EQ(ser("-0"), "0");
    EXPECT_EQ(ser("-0.0e5"), "0");
    EXPECT_EQ(ser("12345678901234567890"), "12345678901234567000");
    EXPECT_EQ(ser("0.1"), "0.1");
    EXPECT_EQ(ser("0.30000000000000004"), "0.30000000000000004");
    EXPECT_EQ(ser("0.000001"), "0.000001");
    EXPECT_EQ(ser("1e-7"), "1e-7");
    EXPECT_EQ(ser("1.5e-7"), "1.5e-7");
    EXPECT_EQ(ser("123e-20"), "1.23e-18");
    EXPECT_EQ(ser("-1.25e30"), "-1.25e+30");
    EXPECT_EQ(ser("123456.789"), "123456.789");
    EXPECT_EQ(ser("5e-324"), "5e-324");
    EXPECT_EQ(ser("1e-400"), "0");  // underflow: the nearest double is 0
    EXPECT_EQ(ser("1.7976931348623157e308"), "1.7976931348623157e+308");
    EXPECT_EQ(ser("9007199254740993"), "9007199254740992");
}

TEST(ecma_json, compact_and_literals) {
    EXPECT_EQ(ser(" \t\r\n[ 1 ,\n{ \"a\" : [ true , false , null ] } , [ ] , { } ] \n"),
              R"([1,{"a":[true,false,null]},[],{}])");
}

TEST(ecma_json, array_index_keys_first_ascending_then_source_order) {
    EXPECT_EQ(ser(R"({"b":1,"2":2,"a":3,"1":4,"01":5,"4294967295":6})"),
              R"({"1":4,"2":2,"b":1,"a":3,"01":5,"4294967295":6})");
    EXPECT_EQ(ser(R"({"z":0,"4294967294":1,"10":2,"9":3,"0":4,"-1":5,"1.0":6," 1":7})"),
              R"({"0":4,"9":3,"10":2,"4294967294":1,"z":0,"-1":5,"1.0":6," 1":7})");
    // An escaped key is the same key: "\u0031" is "1".
    EXPECT_EQ(ser(R"({"a":1,"\u0031":2})"), R"({"1":2,"a":1})");
}

TEST(ecma_json, string_escapes) {
    EXPECT_EQ(ser(R"("\"\\\/\b\t\n\f\r")"), R"("\"\\/\b\t\n\f\r")");
    EXPECT_EQ(ser(R"("\u0000\u0001\u001F\u001e\u000B")"), R"("\u0000\u0001\u001f\u001e\u000b")");
    EXPECT_EQ(ser(R"("\u007f\u2028\u2029\u00E9\uD83D\uDE00")"), "\"\x7f\u2028\u2029\u00e9\U0001F600\"");
    EXPECT_EQ(ser("\"/\x7f\xe2\x80\xa8\xc3\xa9\xf0\x9f\x98\x80\""), "\"/\x7f\xe2\x80\xa8\xc3\xa9\xf0\x9f\x98\x80\"");
    EXPECT_EQ(ser(R"("\u0041\u00e9")"), "\"A\xc3\xa9\"");
}

TEST(ecma_json, refuses_invalid_utf8) {
    EXPECT_NE(refusal("\"\xff\""), "");
    EXPECT_NE(refusal("\"\xc3\""), "");                  // truncated
    EXPECT_NE(refusal("\"\xc0\xaf\""), "");              // overlong
    EXPECT_NE(refusal("\"\xe0\x80\xaf\""), "");          // overlong
    EXPECT_NE(refusal("\"\xf4\x90\x80\x80\""), "");      // above U+10FFFF
    EXPECT_NE(refusal("\"\x80\""), "");                  // stray continuation
    EXPECT_NE(refusal("\xef\xbb\xbf{}"), "");            // BOM (JSON.parse refuses it too)
    EXPECT_EQ(refusal("\"\xc3\xa9\""), "");
    EXPECT_NE(refusal("\"\xff\"").find("UTF-8"), std::string::npos);
}

TEST(ecma_json, refuses_lone_surrogates) {
    EXPECT_NE(refusal(R"("\uD800")").find("surrogate"), std::string::npos);
    EXPECT_NE(refusal(R"("\udc00")").find("surrogate"), std::string::npos);
    EXPECT_NE(refusal(R"("\uD800x")").find("surrogate"), std::string::npos);
    EXPECT_NE(refusal(R"("\uD800\u0041")").find("surrogate"), std::string::npos);
    EXPECT_NE(refusal(R"("\uD800\uD800")").find("surrogate"), std::string::npos);
    EXPECT_NE(refusal(R"({"\uDBFF":1})").find("surrogate"), std::string::npos);
    EXPECT_NE(refusal("\"\xed\xa0\x80\"").find("surrogate"), std::string::npos);  // UTF-8-encoded D800
}

TEST(ecma_json, refuses_duplicate_keys) {
    EXPECT_NE(refusal(R"({"a":1,"a":2})").find("duplicate key"), std::string::npos);
    EXPECT_NE(refusal(R"({"a":1,"\u0061":2})").find("duplicate key"), std::string::npos);
    EXPECT_NE(refusal(R"([{"x":{"1":0,"1":0}}])").find("duplicate key"), std::string::npos);
    EXPECT_EQ(refusal(R"({"a":{"a":1},"b":{"a":2}})"), "");  // same key in different objects
    // The message quotes at most 64 bytes of the key, cut between characters: it stays UTF-8.
    std::string key = "a";
    for (int i = 0; i < 40; ++i) key += "\xc3\xa9";
    std::string err = refusal("{\"" + key + "\":1,\"" + key + "\":2}");
    EXPECT_NE(err.find("duplicate key \"a\xc3\xa9"), std::string::npos) << err;
    std::string unquoted = err;
    std::erase(unquoted, '"');
    EXPECT_EQ(refusal("\"" + unquoted + "\""), "") << "not UTF-8: " << err;
}

TEST(ecma_json, refuses_nesting_deeper_than_64) {
    std::string ok = std::string(64, '[') + std::string(64, ']');
    EXPECT_EQ(ser(ok), ok);
    EXPECT_NE(refusal(std::string(65, '[') + std::string(65, ']')).find("deeper than 64"), std::string::npos);
    std::string obj;
    for (int i = 0; i < 64; ++i) obj += "{\"a\":";
    EXPECT_EQ(refusal(obj + "1" + std::string(64, '}')), "");
    EXPECT_NE(refusal(obj + "[]" + std::string(64, '}')).find("deeper than 64"), std::string::npos);
    // Deep hostile input is refused without running away (the parser is bounded).
    EXPECT_NE(refusal(std::string(100000, '[')), "");
}

TEST(ecma_json, refuses_numbers_beyond_a_double) {
    EXPECT_NE(refusal("1e309").find("range"), std::string::npos);
    EXPECT_NE(refusal("-1e309").find("range"), std::string::npos);
    EXPECT_NE(refusal("[1.8e308]").find("range"), std::string::npos);
    EXPECT_NE(refusal("1e99999999999999999999").find("range"), std::string::npos);
    EXPECT_NE(refusal(std::string(400, '9')).find("range"), std::string::npos);
    EXPECT_EQ(ser("0.0000000000000000000000001e-99999999999999999999"), "0");
    EXPECT_EQ(ser("0e99999999999999"), "0");
}

TEST(ecma_json, refuses_malformed_json) {
    for (std::string_view bad :
         {"", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "+1", "1e", "1e+", "-", "NaN", "Infinity", "tru",
          "nul", "'a'", "\"a", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"a\tb\"", "\"a\nb\"", "{a:1}", "[1 2]",
          "{\"a\" 1}", "1 2", "[]]", "\"\\\"", "\x0c 1"}) {
        EXPECT_NE(refusal(bad), "") << "accepted: " << bad;
    }
    std::string with_nul("[1]\0", 4);
    EXPECT_NE(refusal(with_nul), "");
}

TEST(ecma_json, event_data_must_be_an_object_within_64_kib) {
    std::string err;
    auto out = ecma_serialize_event_data(" {\"n\" : 1.0} ", err);
    ASSERT_TRUE(out) << err;
    EXPECT_EQ(*out, R"({"n":1})");
    EXPECT_NE(data_refusal("[1]").find("not a JSON object"), std::string::npos);
    EXPECT_NE(data_refusal("\"x\"").find("not a JSON object"), std::string::npos);
    EXPECT_NE(data_refusal("1").find("not a JSON object"), std::string::npos);
    EXPECT_NE(data_refusal("null").find("not a JSON object"), std::string::npos);
    EXPECT_NE(data_refusal("").find("not a JSON object"), std::string::npos);
    EXPECT_NE(data_refusal(R"({"a":1,"a":1})").find("duplicate"), std::string::npos);

    // 64 KiB of serialised output is the limit: {"s":"…"} is 8 bytes around the string.
    std::size_t const limit = ssegw::json::max_event_data_bytes;
    std::string at_limit = "{\"s\":\"" + std::string(limit - 8, 'x') + "\"}";
    ASSERT_EQ(at_limit.size(), limit);
    EXPECT_EQ(data_refusal(at_limit), "");
    std::string over = "{\"s\":\"" + std::string(limit - 7, 'x') + "\"}";
    EXPECT_NE(data_refusal(over).find("64 KiB"), std::string::npos);
    // Whitespace in the input does not count: what is signed and sent is the serialised form.
    std::string spaced = "{\"s\" :  \"" + std::string(limit - 8, 'x') + "\"   }";
    EXPECT_EQ(data_refusal(spaced), "");
    // The limit is on the bytes written out: escapes the serialiser resolves do not count.
    std::string resolved = "{\"s\":\"";
    for (std::size_t i = 0; i < limit / 6; ++i) resolved += "\\u0041";  // 6 bytes in, 1 byte out
    resolved += "\"}";
    ASSERT_GT(resolved.size(), limit);
    EXPECT_EQ(data_refusal(resolved), "");
}

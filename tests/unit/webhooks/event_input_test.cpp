// One webhook event from sse-publish's flags and data: every refusal of the contract (one line
// each), the ECMAScript re-serialisation of data, where deviceId/sceneId come from, the event id.
#include "common/ids/uuid.hpp"
#include "webhooks/events/event_input.hpp"
#include "webhooks/model/event_types.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

using ssegw::webhooks::assemble_event;
using ssegw::webhooks::check_event_flags;
using ssegw::webhooks::event_fields;
using ssegw::webhooks::event_flags;
using ssegw::webhooks::make_event;

namespace {

event_flags base() {
    event_flags f;
    f.type = "alert_triggered";
    f.user = "u1";
    return f;
}

// The refusal, or "" when the event was accepted; a refusal must be one non-empty line.
std::string event_refusal(event_flags const& f, std::string_view data = "{}") {
    std::string err;
    auto e = make_event(f, data, err);
    if (e) return {};
    EXPECT_FALSE(err.empty());
    EXPECT_EQ(err.find('\n'), std::string::npos) << err;
    return err.empty() ? "(empty reason)" : err;
}

event_fields made(event_flags const& f, std::string_view data = "{}") {
    std::string err;
    auto e = make_event(f, data, err);
    EXPECT_TRUE(e) << err;
    return e ? *e : event_fields{};
}

bool is_lower_uuid(std::string_view s) {
    auto n = ssegw::ids::normalize_uuid(s);
    return n && *n == s;
}

TEST(event_input, accepts_every_catalogue_type) {
    for (auto type : ssegw::webhooks::event_types) {
        auto f = base();
        f.type = std::string(type);
        EXPECT_EQ(event_refusal(f), "") << type;
    }
}

TEST(event_input, refuses_unknown_types_and_the_test_type) {
    for (std::string type : {"webhook_test", "", "Alert_Triggered", "alert_triggered ", "analysis_result", "x\ny"}) {
        auto f = base();
        f.type = type;
        auto const why = event_refusal(f);
        EXPECT_NE(why, "") << type;
        EXPECT_TRUE(why.starts_with("--event")) << why;
    }
}

TEST(event_input, refuses_bad_ids) {
    std::string const long_id(201, 'a');
    for (std::string const& id : std::vector<std::string>{"", "a b", "a\tb", std::string("a\0b", 3), "a\x7f", long_id}) {
        auto f = base();
        f.user = id;
        EXPECT_NE(event_refusal(f), "") << "user '" << id << "'";
    }
    for (std::string const& id : std::vector<std::string>{"a b", "a\nb", "\x01", "\x7f", long_id}) {
        auto f = base();
        f.device = id;
        EXPECT_TRUE(event_refusal(f).starts_with("--device")) << id;
        f = base();
        f.scene = id;
        EXPECT_TRUE(event_refusal(f).starts_with("--scene")) << id;
    }
    // The same rule for ids that data supplies.
    EXPECT_TRUE(event_refusal(base(), R"({"deviceId":"cam 1"})").starts_with("data.deviceId")) << event_refusal(base(), R"({"deviceId":"cam 1"})");
    EXPECT_TRUE(event_refusal(base(), R"({"sceneId":"s\u0001"})").starts_with("data.sceneId"));
    // Bounds of the rule.
    auto f = base();
    f.user = std::string(200, 'u');
    f.device = "!~";
    EXPECT_EQ(event_refusal(f), "");
}

TEST(event_input, refuses_bad_event_ids) {
    for (std::string id : {"", "not-a-uuid", "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a4", "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a400",
                           "4f9b2c3e8a1d4e6f9b7a2c5d8e1f3a40", "{4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40}",
                           "4f9b2c3g-8a1d-4e6f-9b7a-2c5d8e1f3a40", " 4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40"}) {
        auto f = base();
        f.event_id = id;
        EXPECT_TRUE(event_refusal(f).starts_with("--event-id")) << id;
    }
}

TEST(event_input, refuses_bad_timestamps) {
    for (std::string ts : {"", "2026-01-29T10:30:00", "2026-01-29", "2026-02-30T10:30:00Z", "2026-01-29 10:30:00Z",
                           "1769682600000", "2026-01-29T10:30:00+0800", "1969-12-31T23:59:59Z", "yesterday"}) {
        auto f = base();
        f.timestamp = ts;
        EXPECT_TRUE(event_refusal(f).starts_with("--timestamp")) << ts;
    }
}

TEST(event_input, refuses_data_that_4_2_refuses) {
    auto const f = base();
    std::string const nest_65 = std::string(64, '[') + std::string(64, ']');  // inside {"a": ...}: 65 levels
    std::string const nest_64 = std::string(63, '[') + std::string(63, ']');
    std::string const big = R"({"a":")" + std::string(65536 - 7, 'x') + R"("})";  // 65537 bytes
    std::string const fits = R"({"a":")" + std::string(65536 - 8, 'x') + R"("})";  // 65536 bytes
    for (std::string data : {std::string("[]"), std::string("[1]"), std::string("1"), std::string("\"s\""),
                             std::string("null"), std::string("true"), std::string(""), std::string("   "),
                             std::string("{"), std::string("{} {}"), std::string(R"({"a":1,"a":2})"),
                             std::string("{\"a\":\"\xff\"}"), std::string("{\"a\":\"\xc3\"}"),
                             std::string("{\"\xed\xa0\x80\":1}"), std::string(R"({"a":"\ud800"})"),
                             std::string(R"({"a":"\udc00x"})"), R"({"a":)" + nest_65 + "}", std::string(R"({"a":1e309})"),
                             std::string(R"({"a":-1e400})"), big}) {
        auto const why = event_refusal(f, data);
        EXPECT_NE(why, "") << data.substr(0, 80);
        EXPECT_TRUE(why.starts_with("data")) << why;
    }
    EXPECT_EQ(event_refusal(f, R"({"a":)" + nest_64 + "}"), "");  // 64 levels: the limit itself
    EXPECT_EQ(made(f, fits).data.size(), 65536u);
    EXPECT_EQ(event_refusal(f, R"({"a":1.7976931348623157e308,"b":5e-324,"c":1e-400})"), "");  // underflow is 0, not a refusal
}

TEST(event_input, data_is_re_serialised_as_ecmascript_writes_it) {
    auto const e = made(base(), " {\n \"b\" : 1.50, \"2\": \"x\", \"1\": 1E2, \"big\": 12345678901234567890, \"z\": -0, "
                                "\"s\": \"\\u00e9/\\u001f\" } ");
    EXPECT_EQ(e.data, "{\"1\":100,\"2\":\"x\",\"b\":1.5,\"big\":12345678901234567000,\"z\":0,\"s\":\"\xc3\xa9/\\u001f\"}");
}

TEST(event_input, device_and_scene_come_from_flags_else_from_data_strings) {
    std::string const data = R"({"deviceId":"cam-1","sceneId":"scene-1"})";
    auto e = made(base(), data);
    EXPECT_EQ(e.device_id, "cam-1");
    EXPECT_EQ(e.scene_id, "scene-1");

    auto f = base();
    f.device = "cam-9";
    f.scene = "scene-9";
    e = made(f, data);
    EXPECT_EQ(e.device_id, "cam-9");  // the flag wins
    EXPECT_EQ(e.scene_id, "scene-9");

    f = base();
    f.device = "";  // none, and data's is not used either
    f.scene = "";
    e = made(f, data);
    EXPECT_EQ(e.device_id, "");
    EXPECT_EQ(e.scene_id, "");

    // Only strings count; nested members do not.
    e = made(base(), R"({"deviceId":7,"sceneId":null,"x":{"deviceId":"inner"}})");
    EXPECT_EQ(e.device_id, "");
    EXPECT_EQ(e.scene_id, "");
    e = made(base(), R"({"deviceId":["cam-1"],"sceneId":{"id":"s"}})");
    EXPECT_EQ(e.device_id, "");
    EXPECT_EQ(e.scene_id, "");
    e = made(base(), R"({"deviceId":"","sceneId":"s-\u0041"})");  // "" is none; escapes are decoded
    EXPECT_EQ(e.device_id, "");
    EXPECT_EQ(e.scene_id, "s-A");

    e = made(base());
    EXPECT_EQ(e.device_id, "");
    EXPECT_EQ(e.scene_id, "");
    EXPECT_EQ(e.user_id, "u1");
    EXPECT_EQ(e.type, "alert_triggered");
}

TEST(event_input, given_event_id_is_lowercased_and_a_missing_one_is_made) {
    auto f = base();
    f.event_id = "4F9B2C3E-8A1D-4E6F-9B7A-2C5D8E1F3A40";
    EXPECT_EQ(made(f).event_id, "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40");

    auto const a = made(base()).event_id;
    auto const b = made(base()).event_id;
    EXPECT_TRUE(is_lower_uuid(a)) << a;
    EXPECT_EQ(a[14], '7') << a;  // version 7
    EXPECT_NE(a, b);

    // With a template, a given id is the same for every event, a made one new for each.
    std::string err;
    auto t = check_event_flags(base(), err);
    ASSERT_TRUE(t) << err;
    EXPECT_NE(assemble_event(*t, "{}", err)->event_id, assemble_event(*t, "{}", err)->event_id);
    t = check_event_flags(f, err);
    ASSERT_TRUE(t) << err;
    EXPECT_EQ(assemble_event(*t, "{}", err)->event_id, assemble_event(*t, "{}", err)->event_id);
}

TEST(event_input, timestamp_becomes_unix_ms_and_none_leaves_it_to_redis) {
    EXPECT_EQ(made(base()).time_ms, "");
    auto f = base();
    f.timestamp = "2026-01-29T10:30:00Z";
    EXPECT_EQ(made(f).time_ms, "1769682600000");
    f.timestamp = "2026-01-29T18:30:00.123+08:00";
    EXPECT_EQ(made(f).time_ms, "1769682600123");
    f.timestamp = "2026-01-29T05:00:00.5-05:30";
    EXPECT_EQ(made(f).time_ms, "1769682600500");
    f.timestamp = "1970-01-01T00:00:00Z";
    EXPECT_EQ(made(f).time_ms, "0");
}

} // namespace

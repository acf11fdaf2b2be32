// webhooks/engine/event_body: an entry of webhook:events read into the request body (field order,
// the event's time, data re-serialised as JSON.stringify does, the signature vector's exact bytes), the
// delivery log's alertEventId/severity, and every malformed entry another producer could write.
#include "webhooks/engine/event_body.hpp"

#include "common/sha256.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace wh = ssegw::webhooks;

namespace {

constexpr char const* event_id = "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40";

wh::hash_fields entry(std::string data, std::string ts = "1769682600000") {
    return {{"eventId", event_id}, {"type", "alert_triggered"}, {"userId", "u1"}, {"deviceId", "cam-1"},
            {"sceneId", ""},       {"ts", std::move(ts)},       {"data", std::move(data)}};
}

wh::event_entry read(wh::hash_fields const& f) {
    auto r = wh::read_event(f);
    if (auto* m = std::get_if<wh::malformed_event>(&r)) ADD_FAILURE() << "malformed: " << m->reason;
    return std::holds_alternative<wh::event_entry>(r) ? std::get<wh::event_entry>(r) : wh::event_entry{};
}

// The reason, or "" when the entry was read.
std::string malformed(wh::hash_fields const& f) {
    auto r = wh::read_event(f);
    auto* m = std::get_if<wh::malformed_event>(&r);
    return m ? m->reason : "";
}

wh::hash_fields with(wh::hash_fields f, std::string const& name, std::string value) {
    for (auto& [k, v] : f)
        if (k == name) v = std::move(value);
    return f;
}

wh::hash_fields without(wh::hash_fields f, std::string const& name) {
    std::erase_if(f, [&](auto const& kv) { return kv.first == name; });
    return f;
}

} // namespace

TEST(event_body, the_signature_vector_body_byte_for_byte) {
    // The producer's spacing and number forms differ; the body is the one docs/WEBHOOKS.md's
    // signature example signs.
    auto e = read(entry(R"({"ruleId": "rule-1", "deviceId": "cam-1", "severity": "warning", "threshold": 10.0,)"
                        R"x( "actualValue": 1.5E1, "message": "排隊人數 (15) 超過閾值 (10)",)x"
                        R"( "snapshotUrls": ["https://storage.example.com/snapshot.jpg"]})"));
    EXPECT_EQ(e.body,
              R"({"id":"4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40","type":"alert_triggered","timestamp":"2026-01-29T10:30:00.000Z",)"
              R"("data":{"ruleId":"rule-1","deviceId":"cam-1","severity":"warning","threshold":10,"actualValue":15,)"
              R"x("message":"排隊人數 (15) 超過閾值 (10)","snapshotUrls":["https://storage.example.com/snapshot.jpg"]}})x");
    EXPECT_EQ(e.body.size(), 316u);
    EXPECT_EQ(ssegw::sha256_hex(e.body), "3ece39dae58b248aeae79453b49152a0ae3e31a1108aedccbeb801567bffdd12");
    EXPECT_EQ(e.severity, "warning");
    EXPECT_EQ(e.alert_event_id, std::nullopt);
}

TEST(event_body, the_entry_fields_are_kept) {
    auto e = read(entry("{}", "1769682605123"));
    EXPECT_EQ(e.event_id, event_id);
    EXPECT_EQ(e.type, "alert_triggered");
    EXPECT_EQ(e.user_id, "u1");
    EXPECT_EQ(e.device_id, "cam-1");
    EXPECT_EQ(e.scene_id, "");
    EXPECT_EQ(e.time_ms, 1769682605123);
    EXPECT_EQ(e.body, R"({"id":"4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40","type":"alert_triggered",)"
                      R"("timestamp":"2026-01-29T10:30:05.123Z","data":{}})");
}

TEST(event_body, data_is_re_serialised_as_ecmascript_does) {
    auto e = read(entry(R"({"n":1.50,"x":1E2,"big":1e21,"z":-0,"2":"b","1":"a","s":"\u00e9\/"})"));
    auto data = e.body.substr(e.body.find(R"("data":)") + 7);
    EXPECT_EQ(data, R"({"1":"a","2":"b","n":1.5,"x":100,"big":1e+21,"z":0,"s":"é/"}})");
}

TEST(event_body, alert_event_id_and_severity_only_as_strings) {
    auto e = read(entry(R"({"alertEventId":"ae-1","severity":""})"));
    EXPECT_EQ(e.alert_event_id, "ae-1");
    EXPECT_EQ(e.severity, "");  // an empty string is still a string
    auto n = read(entry(R"({"alertEventId":7,"severity":null,"nested":{"severity":"x"}})"));
    EXPECT_EQ(n.alert_event_id, std::nullopt);
    EXPECT_EQ(n.severity, std::nullopt);
}

TEST(event_body, times_of_every_width) {
    EXPECT_NE(read(entry("{}", "0")).body.find(R"("timestamp":"1970-01-01T00:00:00.000Z")"), std::string::npos);
    EXPECT_NE(read(entry("{}", "253402300799999")).body.find(R"("timestamp":"9999-12-31T23:59:59.999Z")"),
              std::string::npos);
}

TEST(event_body, malformed_entries) {
    auto const good = entry("{}");
    EXPECT_EQ(malformed(good), "");
    for (char const* name : {"eventId", "type", "userId", "deviceId", "sceneId", "ts", "data"})
        EXPECT_EQ(malformed(without(good, name)), std::string("missing field ") + name);
    EXPECT_EQ(malformed(with(good, "eventId", "4F9B2C3E-8A1D-4E6F-9B7A-2C5D8E1F3A40")), "eventId: not a lowercase UUID");
    EXPECT_EQ(malformed(with(good, "eventId", "evt-1")), "eventId: not a lowercase UUID");
    EXPECT_EQ(malformed(with(good, "type", "webhook_test")), "type: not a catalogue event type");
    EXPECT_EQ(malformed(with(good, "type", "alert")), "type: not a catalogue event type");
    EXPECT_EQ(malformed(with(good, "userId", "")), "userId: breaks the id rule");
    EXPECT_EQ(malformed(with(good, "userId", "a b")), "userId: breaks the id rule");
    EXPECT_EQ(malformed(with(good, "deviceId", "cam\n1")), "deviceId: breaks the id rule");
    EXPECT_EQ(malformed(with(good, "sceneId", std::string(201, 's'))), "sceneId: breaks the id rule");
    for (char const* ts : {"", "-1", "1.5", "12a", "253402300800000", "9999999999999999"})
        EXPECT_EQ(malformed(with(good, "ts", ts)), "ts: not unix ms") << ts;
    for (std::string data : {std::string("[]"), std::string("\"x\""), std::string(R"({"a":1,"a":2})"),
                             std::string("{\"a\":\"\xff\"}"), std::string(R"({"a":"\ud800"})"), std::string("{"),
                             std::string(R"({"a":1e999})"), std::string(65 * 1024, '[') + std::string(65 * 1024, ']'),
                             "{\"a\":\"" + std::string(70000, 'x') + "\"}"}) {
        auto why = malformed(with(good, "data", data));
        EXPECT_TRUE(why.starts_with("data: ")) << data.substr(0, 40) << " → " << why;
    }
    std::string deep;
    for (int i = 0; i < 64; ++i) deep += R"({"a":)";
    deep += "1" + std::string(64, '}');
    EXPECT_EQ(malformed(with(good, "data", deep)), "");  // data itself is level 1: 64 levels pass
    EXPECT_TRUE(malformed(with(good, "data", R"({"a":)" + deep + "}")).starts_with("data: "));
}

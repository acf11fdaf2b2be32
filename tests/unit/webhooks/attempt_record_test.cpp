// webhooks/engine/attempt_record: the delivery log's record from an attempt hash: the table's
// field order, nulls for what is unset, numbers, booleans, ISO times, the payload embedded byte for
// byte, and the engine's own fields never shown.
#include "webhooks/engine/attempt_record.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

namespace wh = ssegw::webhooks;

namespace {

// A payload whose bytes JSON re-serialisation would change (1e+21, the escapes, the spacing).
constexpr char const* payload =
    R"({"id":"4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40","type":"alert_triggered","timestamp":"2026-01-29T10:30:00.000Z","data":{"n":1e+21,"s":"é/\u001f"}})";

wh::hash_fields completed() {
    return {{"id", "0194b0a0-0000-7000-8000-000000000002"},
            {"deliveryId", "0194b0a0-0000-7000-8000-000000000001"},
            {"webhookUrl", "https://hooks.example.com/in"},
            {"notificationId", "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40"},
            {"alertEventId", "ae-1"},
            {"severity", "warning"},
            {"notificationType", "alert_triggered"},
            {"deviceId", "cam-1"},
            {"sceneId", "scene \"1\""},
            {"status", "failed"},
            {"httpStatusCode", "503"},
            {"responseTimeMs", "42"},
            {"responseBody", "busy\n"},
            {"errorMessage", "http_status: 503"},
            {"attemptNumber", "2"},
            {"maxAttempts", "4"},
            {"isFinalAttempt", "0"},
            {"trigger", "automatic"},
            {"scheduledAt", "1769682605123"},
            {"attemptedAt", "1769682605200"},
            {"createdAt", "1769682600000"},
            {"userId", "u1"},
            {"webhookId", "0194b0a0-0000-7000-8000-00000000000a"},
            {"retentionMs", "2592000000"},
            {"token", "secret-claim-token"},
            {"claimedAt", "1769682605200"},
            {"payload", payload}};
}

} // namespace

TEST(attempt_record, every_field_in_the_tables_order) {
    EXPECT_EQ(wh::record_json(completed()),
              std::string(R"({"id":"0194b0a0-0000-7000-8000-000000000002","deliveryId":"0194b0a0-0000-7000-8000-000000000001",)"
                          R"("webhookUrl":"https://hooks.example.com/in","notificationId":"4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40",)"
                          R"("alertEventId":"ae-1","severity":"warning","notificationType":"alert_triggered",)"
                          R"("deviceId":"cam-1","sceneId":"scene \"1\"","payload":)") +
                  payload +
                  R"(,"status":"failed","httpStatusCode":503,"responseTimeMs":42,"responseBody":"busy\n",)"
                  R"("errorMessage":"http_status: 503","attemptNumber":2,"maxAttempts":4,"isFinalAttempt":false,)"
                  R"("trigger":"automatic","scheduledAt":"2026-01-29T10:30:05.123Z","attemptedAt":"2026-01-29T10:30:05.200Z",)"
                  R"("createdAt":"2026-01-29T10:30:00.000Z"})");
}

TEST(attempt_record, the_engines_fields_are_never_shown) {
    auto j = wh::record_json(completed());
    for (char const* hidden : {"userId", "webhookId", "retentionMs", "token", "claimedAt", "secret-claim-token"})
        EXPECT_EQ(j.find(hidden), std::string::npos) << hidden;
}

TEST(attempt_record, a_pending_record_has_nulls) {
    auto f = completed();
    std::erase_if(f, [](auto const& kv) {
        for (char const* gone : {"alertEventId", "severity", "deviceId", "sceneId", "httpStatusCode", "responseTimeMs",
                                 "responseBody", "errorMessage", "attemptedAt"})
            if (kv.first == gone) return true;
        return false;
    });
    for (auto& [k, v] : f) {
        if (k == "status") v = "pending";
        if (k == "isFinalAttempt") v = "1";
    }
    auto j = nlohmann::ordered_json::parse(wh::record_json(f));
    EXPECT_EQ(j.size(), 22u);
    for (char const* n : {"alertEventId", "severity", "deviceId", "sceneId", "httpStatusCode", "responseTimeMs",
                          "responseBody", "errorMessage", "attemptedAt"})
        EXPECT_TRUE(j[n].is_null()) << n;
    EXPECT_EQ(j["status"], "pending");
    EXPECT_EQ(j["isFinalAttempt"], true);
    EXPECT_EQ(j["payload"]["data"]["s"], "é/\x1f");
}

TEST(attempt_record, empty_response_body_is_an_empty_string) {
    auto f = completed();
    for (auto& [k, v] : f)
        if (k == "responseBody") v = "";
    EXPECT_NE(wh::record_json(f).find(R"("responseBody":"",)"), std::string::npos);
}

TEST(attempt_record, nothing_but_nulls_from_an_empty_hash) {
    auto j = nlohmann::ordered_json::parse(wh::record_json({}));
    ASSERT_EQ(j.size(), 22u);
    for (auto const& [k, v] : j.items())
        EXPECT_TRUE(v.is_null()) << k;
    EXPECT_EQ(j.begin().key(), "id");
    EXPECT_EQ((--j.end()).key(), "createdAt");
}

TEST(attempt_record, bad_stored_values_are_null_not_broken_json) {
    auto f = completed();
    for (auto& [k, v] : f) {
        if (k == "payload") v = R"({"id":)";
        if (k == "httpStatusCode") v = "5x";
        if (k == "createdAt") v = "soon";
    }
    auto j = nlohmann::ordered_json::parse(wh::record_json(f));
    EXPECT_TRUE(j["payload"].is_null());
    EXPECT_TRUE(j["httpStatusCode"].is_null());
    EXPECT_TRUE(j["createdAt"].is_null());
}

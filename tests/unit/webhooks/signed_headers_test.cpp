// The signed header set against the published vectors (contract 4.3): the delivery workers and the
// gateway's test request both send these, so names, order and values are checked exactly.
#include "webhooks/signing/signed_headers.hpp"

#include "common/base64.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wh = ssegw::webhooks;

namespace {

constexpr std::string_view hdr_alert_body =
    R"json({"id":"4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40","type":"alert_triggered","timestamp":"2026-01-29T10:30:00.000Z",)json"
    R"json("data":{"ruleId":"rule-1","deviceId":"cam-1","severity":"warning","threshold":10,"actualValue":15,)json"
    R"json("message":"排隊人數 (15) 超過閾值 (10)","snapshotUrls":["https://storage.example.com/snapshot.jpg"]}})json";
constexpr std::string_view hdr_alert_id = "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40";
constexpr std::string_view hdr_delivery_id = "01950000-0000-7000-8000-000000000001";
constexpr std::int64_t hdr_alert_ts = 1769682605;
constexpr std::string_view hdr_secret = "test_secret_0123456789abcdef";
constexpr std::string_view hdr_old_secret = "old_secret_fedcba9876543210";

wh::header_list expected(std::string webhook_signature) {
    return {
        {"Content-Type", "application/json"},
        {"X-SaaS-Event", "alert_triggered"},
        {"X-SaaS-Delivery-Id", std::string(hdr_delivery_id)},
        {"X-SaaS-Timestamp", "1769682605"},
        {"X-SaaS-Signature", "sha256=b7ef54e7a2ac8afabf03096d6dd042d28244349190a3564138fef783f2353b8a"},
        {"webhook-id", std::string(hdr_alert_id)},
        {"webhook-timestamp", "1769682605"},
        {"webhook-signature", std::move(webhook_signature)},
    };
}

} // namespace

TEST(signed_headers, seed_vector_without_a_previous_secret) {
    EXPECT_EQ(wh::signed_headers("alert_triggered", hdr_delivery_id, hdr_alert_id, hdr_alert_ts, hdr_alert_body, hdr_secret, std::nullopt),
              expected("v1,zR73vCW+tcl6ESWI2Sj1L4eyza7+QUvYdRm8aoqTEzE="));
}

TEST(signed_headers, rotation_vector_signs_saas_with_the_newest_only) {
    EXPECT_EQ(wh::signed_headers("alert_triggered", hdr_delivery_id, hdr_alert_id, hdr_alert_ts, hdr_alert_body, hdr_secret, hdr_old_secret),
              expected("v1,zR73vCW+tcl6ESWI2Sj1L4eyza7+QUvYdRm8aoqTEzE= "
                       "v1,PpZJ7rUhxkNS8+bfFrcXgzGEO+dShK1nv9IZ/1zo7RQ="));
}

TEST(signed_headers, standard_webhooks_library_vector) {
    // Standard Webhooks' own sign test, through the header set: the webhook-id is the event id.
    auto key = ssegw::base64::decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    ASSERT_TRUE(key);
    auto h = wh::signed_headers("webhook_test", "d", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                R"({"test": 2432232314})", *key, std::nullopt);
    ASSERT_EQ(h.size(), 8u);
    EXPECT_EQ(h[7].second, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    EXPECT_EQ(h[1].second, "webhook_test");
    EXPECT_EQ(h[5].second, "msg_p5jXN8AQM9LWM0D4loKWxJek");
}

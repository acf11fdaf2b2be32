// The webhook signatures against the published test vectors: receivers verify these exact bytes,
// so any drift in the message layout, the key handling or the encodings breaks every integration.
#include "webhooks/signing/signature.hpp"

#include "common/base64.hpp"
#include "common/sha256.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wh = ssegw::webhooks;

namespace {

// 316 UTF-8 bytes, written as JSON.stringify writes it (non-ASCII literal), so the platform's
// original verifier reproduces it from the parsed body.
constexpr std::string_view alert_body =
    R"json({"id":"4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40","type":"alert_triggered","timestamp":"2026-01-29T10:30:00.000Z",)json"
    R"json("data":{"ruleId":"rule-1","deviceId":"cam-1","severity":"warning","threshold":10,"actualValue":15,)json"
    R"json("message":"排隊人數 (15) 超過閾值 (10)","snapshotUrls":["https://storage.example.com/snapshot.jpg"]}})json";
constexpr std::string_view alert_id = "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40";
constexpr std::int64_t alert_ts = 1769682605;
constexpr std::string_view secret = "test_secret_0123456789abcdef";
constexpr std::string_view old_secret = "old_secret_fedcba9876543210";

} // namespace

TEST(webhook_signature, standard_webhooks_library_vector) {
    // Standard Webhooks' own sign test: its key is the decoded whsec_ payload, so this vector
    // checks the layout and encodings; the secret-as-characters rule is checked below.
    auto key = ssegw::base64::decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    ASSERT_TRUE(key);
    EXPECT_EQ(wh::standard_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
              "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(webhook_signature, alert_vector_body_is_the_published_one) {
    EXPECT_EQ(alert_body.size(), 316u);
    EXPECT_EQ(ssegw::sha256_hex(alert_body), "3ece39dae58b248aeae79453b49152a0ae3e31a1108aedccbeb801567bffdd12");
}

TEST(webhook_signature, saas_signature_vector) {
    EXPECT_EQ(wh::saas_signature(secret, alert_ts, alert_body),
              "sha256=b7ef54e7a2ac8afabf03096d6dd042d28244349190a3564138fef783f2353b8a");
}

TEST(webhook_signature, standard_signature_vector) {
    EXPECT_EQ(wh::standard_signature(secret, alert_id, alert_ts, alert_body),
              "v1,zR73vCW+tcl6ESWI2Sj1L4eyza7+QUvYdRm8aoqTEzE=");
    EXPECT_EQ(wh::webhook_signature_header(secret, std::nullopt, alert_id, alert_ts, alert_body),
              "v1,zR73vCW+tcl6ESWI2Sj1L4eyza7+QUvYdRm8aoqTEzE=");
}

TEST(webhook_signature, rotation_vector_lists_newest_first) {
    EXPECT_EQ(wh::webhook_signature_header(secret, old_secret, alert_id, alert_ts, alert_body),
              "v1,zR73vCW+tcl6ESWI2Sj1L4eyza7+QUvYdRm8aoqTEzE= v1,PpZJ7rUhxkNS8+bfFrcXgzGEO+dShK1nv9IZ/1zo7RQ=");
}

TEST(webhook_signature, standard_webhooks_secret_round_trips_to_the_same_key) {
    auto whsec = wh::standard_webhooks_secret(secret);
    EXPECT_EQ(whsec, "whsec_dGVzdF9zZWNyZXRfMDEyMzQ1Njc4OWFiY2RlZg==");
    // A Standard Webhooks library decodes the part after whsec_ and signs with that: it must be
    // the secret's characters, or its signatures would differ from ours.
    auto decoded = ssegw::base64::decode(std::string_view(whsec).substr(6));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, secret);
    EXPECT_EQ(wh::standard_signature(*decoded, alert_id, alert_ts, alert_body),
              wh::standard_signature(secret, alert_id, alert_ts, alert_body));
}

TEST(webhook_signature, hex_looking_secret_is_not_decoded) {
    // Generated secrets are 64 hex digits; the key stays their 64 characters, not 32 bytes.
    std::string const hex_secret(64, 'a');
    std::string const raw(32, '\xaa');
    EXPECT_NE(wh::saas_signature(hex_secret, alert_ts, alert_body), wh::saas_signature(raw, alert_ts, alert_body));
    EXPECT_EQ(wh::standard_webhooks_secret(hex_secret), "whsec_" + ssegw::base64::encode(hex_secret));
}

TEST(webhook_signature, every_part_of_the_message_counts) {
    auto const base = wh::standard_signature(secret, alert_id, alert_ts, alert_body);
    EXPECT_NE(wh::standard_signature(secret, "other-id", alert_ts, alert_body), base);
    EXPECT_NE(wh::standard_signature(secret, alert_id, alert_ts + 1, alert_body), base);
    EXPECT_NE(wh::standard_signature(old_secret, alert_id, alert_ts, alert_body), base);
    std::string tampered(alert_body);
    tampered.back() = ' ';
    EXPECT_NE(wh::standard_signature(secret, alert_id, alert_ts, tampered), base);
    EXPECT_NE(wh::saas_signature(secret, alert_ts, tampered), wh::saas_signature(secret, alert_ts, alert_body));
}

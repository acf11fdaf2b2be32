// webhooks/model/webhook_record: the hash fields a POST or PATCH writes (defaults of 3.3 on
// creation), and the API's webhook object (3.3: field order, nulls, the grace of 3.5) and secret
// answer built from the stored hash.
#include "webhooks/model/webhook_record.hpp"

#include "webhooks/model/event_types.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wh = ssegw::webhooks;
using strings = std::vector<std::string>;

namespace {

constexpr std::int64_t t0 = 1769682605123;  // 2026-01-29T10:30:05.123Z

std::string all_types() {
    std::string s;
    for (auto t : wh::event_types) s += (s.empty() ? "" : " ") + std::string(t);
    return s;
}

std::string all_types_json() {
    std::string s;
    for (auto t : wh::event_types) s += (s.empty() ? "\"" : ",\"") + std::string(t) + "\"";
    return "[" + s + "]";
}

} // namespace

TEST(webhook_record, field_of) {
    wh::hash_fields f = {{"url", "https://a.example/"}, {"name", ""}};
    ASSERT_TRUE(wh::field_of(f, "url"));
    EXPECT_EQ(*wh::field_of(f, "url"), "https://a.example/");
    ASSERT_TRUE(wh::field_of(f, "name"));
    EXPECT_EQ(*wh::field_of(f, "name"), "");
    EXPECT_EQ(wh::field_of(f, "Url"), nullptr);
    EXPECT_EQ(wh::field_of({}, "url"), nullptr);
}

TEST(webhook_record, writes_of_nothing) {
    auto w = wh::writes_of({});
    EXPECT_EQ(w.set, strings{});
    EXPECT_EQ(w.del, strings{});
}

TEST(webhook_record, writes_of_every_member) {
    wh::webhook_changes c;
    c.url = "https://a.example/";
    c.name = std::optional<std::string>("hook");
    c.secret = "must-not-be-written-here";
    c.subscribed_types = "alert_triggered node_online";
    c.filter = R"({"deviceIds":["cam-1"]})";
    c.timeout_ms = 1000;
    c.max_retries = 0;
    c.enabled = false;  // written by the update script, which also sets or clears disabledReason
    auto w = wh::writes_of(c);
    EXPECT_EQ(w.set, (strings{"url", "https://a.example/", "name", "hook", "subscribedTypes",
                              "alert_triggered node_online", "filter", R"({"deviceIds":["cam-1"]})", "timeoutMs",
                              "1000", "maxRetries", "0"}));
    EXPECT_EQ(w.del, strings{});
}

TEST(webhook_record, writes_of_null_name_deletes_it) {
    wh::webhook_changes c;
    c.name = std::optional<std::string>();
    c.max_retries = 5;
    auto w = wh::writes_of(c);
    EXPECT_EQ(w.set, (strings{"maxRetries", "5"}));
    EXPECT_EQ(w.del, strings{"name"});
}

TEST(webhook_record, creation_defaults) {
    wh::webhook_changes c;
    c.url = "https://a.example/";
    c.name = std::optional<std::string>();  // null on POST: simply not stored
    auto w = wh::creation_writes(c, "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b");
    EXPECT_EQ(w.set, (strings{"url", "https://a.example/", "subscribedTypes", all_types(), "filter", "{}", "timeoutMs",
                              "5000", "maxRetries", "3", "id", "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", "enabled", "1",
                              "failCount", "0"}));
    EXPECT_EQ(w.del, strings{});
}

TEST(webhook_record, creation_with_given_values_and_disabled) {
    wh::webhook_changes c;
    c.url = "https://a.example/";
    c.name = std::optional<std::string>("n");
    c.subscribed_types = "device_offline";
    c.filter = R"({"sceneIds":["s"]})";
    c.timeout_ms = 30000;
    c.max_retries = 0;
    c.enabled = false;
    auto w = wh::creation_writes(c, "id-1");
    EXPECT_EQ(w.set, (strings{"url", "https://a.example/", "name", "n", "subscribedTypes", "device_offline", "filter",
                              R"({"sceneIds":["s"]})", "timeoutMs", "30000", "maxRetries", "0", "id", "id-1",
                              "enabled", "0", "failCount", "0", "disabledReason", "manual"}));
    c.enabled = true;
    EXPECT_EQ(wh::creation_writes(c, "id-1").set,
              (strings{"url", "https://a.example/", "name", "n", "subscribedTypes", "device_offline", "filter",
                       R"({"sceneIds":["s"]})", "timeoutMs", "30000", "maxRetries", "0", "id", "id-1", "enabled", "1",
                       "failCount", "0"}));
}

TEST(webhook_record, json_of_a_new_webhook) {
    wh::hash_fields f = {{"url", "https://a.example/"},
                         {"subscribedTypes", all_types()},
                         {"filter", "{}"},
                         {"timeoutMs", "5000"},
                         {"maxRetries", "3"},
                         {"id", "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"},
                         {"enabled", "1"},
                         {"failCount", "0"},
                         {"secret", "v1.abcdef01.c2VhbGVk"},
                         {"createdAt", std::to_string(t0)},
                         {"updatedAt", std::to_string(t0)}};
    EXPECT_EQ(wh::webhook_json(f, t0),
              R"({"id":"0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b","url":"https://a.example/","name":null,)"
              R"("subscribedTypes":)" + all_types_json() + R"(,"filter":{},"timeoutMs":5000,"maxRetries":3,)"
              R"("enabled":true,"disabledReason":null,"disabledAt":null,"failCount":0,"lastTriggered":null,)"
              R"("lastDeliveryAt":null,"previousSecretExpiresAt":null,"createdAt":"2026-01-29T10:30:05.123Z",)"
              R"("updatedAt":"2026-01-29T10:30:05.123Z"})");
}

TEST(webhook_record, json_of_a_disabled_webhook_in_grace) {
    wh::hash_fields f = {{"id", "w1"},
                         {"url", "https://a.example/x?y=1"},
                         {"name", "排隊 \"hook\""},
                         {"subscribedTypes", "alert_triggered node_online"},
                         {"filter", R"({"deviceIds":["cam-1"],"sceneIds":["s1"]})"},
                         {"timeoutMs", "30000"},
                         {"maxRetries", "0"},
                         {"enabled", "0"},
                         {"disabledReason", "consecutive_failures"},
                         {"disabledAt", std::to_string(t0 + 1000)},
                         {"failCount", "100"},
                         {"lastTriggered", std::to_string(t0 + 2000)},
                         {"lastDeliveryAt", std::to_string(t0 - 86400000)},
                         {"secret", "v1.abcdef01.c2VhbGVk"},
                         {"previousSecret", "v1.abcdef01.b2xk"},
                         {"previousSecretUntil", std::to_string(t0 + 86400000)},
                         {"failingSince", std::to_string(t0 - 5000)},
                         {"createdAt", "0"},
                         {"updatedAt", std::to_string(t0)}};
    auto j = wh::webhook_json(f, t0);
    EXPECT_EQ(j, R"({"id":"w1","url":"https://a.example/x?y=1","name":"排隊 \"hook\"",)"
                 R"("subscribedTypes":["alert_triggered","node_online"],)"
                 R"("filter":{"deviceIds":["cam-1"],"sceneIds":["s1"]},"timeoutMs":30000,"maxRetries":0,)"
                 R"("enabled":false,"disabledReason":"consecutive_failures","disabledAt":"2026-01-29T10:30:06.123Z",)"
                 R"("failCount":100,"lastTriggered":"2026-01-29T10:30:07.123Z",)"
                 R"("lastDeliveryAt":"2026-01-28T10:30:05.123Z","previousSecretExpiresAt":"2026-01-30T10:30:05.123Z",)"
                 R"("createdAt":"1970-01-01T00:00:00.000Z","updatedAt":"2026-01-29T10:30:05.123Z"})");
    // Secrets, sealed or not, and internal fields never show.
    EXPECT_EQ(j.find("c2VhbGVk"), std::string::npos);
    EXPECT_EQ(j.find("b2xk"), std::string::npos);
    EXPECT_EQ(j.find("\"secret\""), std::string::npos);
    EXPECT_EQ(j.find("failingSince"), std::string::npos);
    EXPECT_EQ(j.find("previousSecretUntil"), std::string::npos);
}

TEST(webhook_record, disabled_fields_are_null_while_enabled) {
    wh::hash_fields f = {{"id", "w1"}, {"enabled", "1"}, {"disabledReason", "manual"}, {"disabledAt", "5"}};
    auto j = wh::webhook_json(f, t0);
    EXPECT_NE(j.find(R"("enabled":true,"disabledReason":null,"disabledAt":null,)"), std::string::npos) << j;
}

TEST(webhook_record, missing_or_malformed_fields_fall_back) {
    wh::hash_fields f = {{"subscribedTypes", ""}, {"filter", "not json"}, {"timeoutMs", "abc"}, {"maxRetries", ""},
                         {"failCount", "12x"}, {"createdAt", "yesterday"}, {"lastTriggered", ""}};
    EXPECT_EQ(wh::webhook_json(f, t0),
              R"({"id":null,"url":null,"name":null,"subscribedTypes":[],"filter":{},"timeoutMs":5000,"maxRetries":3,)"
              R"("enabled":true,"disabledReason":null,"disabledAt":null,"failCount":0,"lastTriggered":null,)"
              R"("lastDeliveryAt":null,"previousSecretExpiresAt":null,"createdAt":null,"updatedAt":null})");
    wh::hash_fields g = {{"filter", "[1,2]"}, {"subscribedTypes", "device_online"}};
    auto j = wh::webhook_json(g, t0);
    EXPECT_NE(j.find(R"("subscribedTypes":["device_online"],"filter":{},)"), std::string::npos) << j;
}

TEST(webhook_record, previous_secret_only_while_in_grace) {
    wh::hash_fields f = {{"previousSecret", "v1.x.y"}, {"previousSecretUntil", std::to_string(t0)}};
    EXPECT_EQ(wh::previous_secret_until(f, t0 - 1), t0);
    EXPECT_EQ(wh::previous_secret_until(f, t0), std::nullopt);  // the grace ends at its instant
    EXPECT_EQ(wh::previous_secret_until(f, t0 + 1), std::nullopt);
    EXPECT_NE(wh::webhook_json(f, t0 - 1).find(R"("previousSecretExpiresAt":"2026-01-29T10:30:05.123Z")"),
              std::string::npos);
    EXPECT_NE(wh::webhook_json(f, t0).find(R"("previousSecretExpiresAt":null)"), std::string::npos);
    // Without a previous secret (grace 0, or already removed) there is no expiry to show.
    wh::hash_fields g = {{"previousSecretUntil", std::to_string(t0 + 1000)}};
    EXPECT_EQ(wh::previous_secret_until(g, t0), std::nullopt);
    wh::hash_fields h = {{"previousSecret", "v1.x.y"}};
    EXPECT_EQ(wh::previous_secret_until(h, t0), std::nullopt);
    wh::hash_fields k = {{"previousSecret", "v1.x.y"}, {"previousSecretUntil", "soon"}};
    EXPECT_EQ(wh::previous_secret_until(k, t0), std::nullopt);
}

TEST(webhook_record, secret_json) {
    wh::hash_fields none;
    EXPECT_EQ(wh::secret_json("0123456789abcdef", none, t0),
              R"({"secret":"0123456789abcdef","standardWebhooksSecret":"whsec_MDEyMzQ1Njc4OWFiY2RlZg==",)"
              R"("previousSecretExpiresAt":null})");
    wh::hash_fields grace = {{"previousSecret", "v1.x.y"}, {"previousSecretUntil", std::to_string(t0 + 86400000)}};
    EXPECT_EQ(wh::secret_json("0123456789abcdef", grace, t0),
              R"({"secret":"0123456789abcdef","standardWebhooksSecret":"whsec_MDEyMzQ1Njc4OWFiY2RlZg==",)"
              R"("previousSecretExpiresAt":"2026-01-30T10:30:05.123Z"})");
    EXPECT_EQ(wh::secret_json("0123456789abcdef", grace, t0 + 86400000),
              R"({"secret":"0123456789abcdef","standardWebhooksSecret":"whsec_MDEyMzQ1Njc4OWFiY2RlZg==",)"
              R"("previousSecretExpiresAt":null})");
    // Printable ASCII that JSON must escape.
    EXPECT_EQ(wh::secret_json(R"(ab"cd\ef0123456789)", none, t0).find(R"({"secret":"ab\"cd\\ef0123456789",)"), 0u);
}

// webhooks/model/webhook_input: the validation of docs/WEBHOOKS.md ("Validation") as a table — each request body
// and the `field` its 400 names, or acceptance — then the values accepted bodies set.
#include "webhooks/model/webhook_input.hpp"

#include "common/http/api_error.hpp"
#include "webhooks/model/event_types.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wh = ssegw::webhooks;
using wh::input_for;

namespace {

constexpr char const* json_type = "application/json";
constexpr char const* accepted = "(accepted)";

wh::address_policy const default_address_policy;
wh::url_rules const rules{false, &default_address_policy};

std::string repeat(std::string const& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

// `["id1","id2",…]` of n ids.
std::string id_array(int n) {
    std::string out = "[";
    for (int i = 0; i < n; ++i) out += (i ? ",\"d" : "\"d") + std::to_string(i) + "\"";
    return out + "]";
}

std::string with_url(std::string const& members) {
    return R"({"url":"https://example.com/hook")" + (members.empty() ? "" : "," + members) + "}";
}

struct input_case {
    char const* what;
    input_for method;
    std::string content_type;
    std::string body;
    std::string field;  // or `accepted`
};

std::string outcome(input_case const& c) {
    auto r = wh::read_webhook_input(c.content_type, c.body, c.method, rules);
    if (auto* e = std::get_if<ssegw::web::api_error>(&r)) {
        EXPECT_EQ(e->kind, ssegw::web::error_kind::bad_request) << c.what;
        EXPECT_FALSE(e->message.empty()) << c.what;
        return e->field;
    }
    return accepted;
}

std::vector<input_case> cases() {
    auto const C = input_for::create, U = input_for::update;
    std::string const secret16 = "0123456789abcdef";
    std::vector<input_case> t = {
        // body
        {"minimal POST", C, json_type, with_url(""), accepted},
        {"empty POST body: url is required", C, json_type, "", "url"},
        {"empty POST body, no content type", C, "", "", "url"},
        {"POST {}", C, json_type, "{}", "url"},
        {"POST without url", C, json_type, R"({"name":"x"})", "url"},
        {"text/plain", C, "text/plain", with_url(""), "body"},
        {"no content type", C, "", with_url(""), "body"},
        {"application/jsonx", C, "application/jsonx", with_url(""), "body"},
        {"application/json-patch+json", C, "application/json-patch+json", with_url(""), "body"},
        {"charset parameter", C, "application/json; charset=utf-8", with_url(""), accepted},
        {"media type case", C, "Application/JSON", with_url(""), accepted},
        {"array body", C, json_type, "[]", "body"},
        {"string body", C, json_type, R"("x")", "body"},
        {"null body", C, json_type, "null", "body"},
        {"number body", C, json_type, "42", "body"},
        {"truncated JSON", C, json_type, R"({"url":)", "body"},
        {"trailing garbage", C, json_type, with_url("") + "x", "body"},
        {"whitespace only", C, json_type, " ", "body"},
        {"invalid UTF-8", C, json_type, with_url("\"name\":\"\xff\""), "body"},
        {"PATCH {}: nothing to update", U, json_type, "{}", "body"},
        {"PATCH empty body", U, json_type, "", "body"},
        {"PATCH array", U, json_type, "[1]", "body"},
        {"PATCH text/plain", U, "text/plain", R"({"name":"x"})", "body"},
        // unknown and read-only members
        {"unknown member", C, json_type, with_url(R"("secrte":"0123456789abcdef")"), "secrte"},
        {"unknown member alone", C, json_type, R"({"foo":1})", "foo"},
        {"unknown member on PATCH", U, json_type, R"({"name":"x","Url":"https://example.com/"})", "Url"},
        {"PATCH secret", U, json_type, R"({"secret":")" + secret16 + "\"}", "secret"},
        {"PATCH a valid secret among others", U, json_type, R"({"name":"a","secret":")" + secret16 + "\"}", "secret"},
        // url
        {"url not https", C, json_type, R"({"url":"http://example.com/"})", "url"},
        {"url not a string", C, json_type, R"({"url":123})", "url"},
        {"url null", C, json_type, R"({"url":null})", "url"},
        {"url relative", C, json_type, R"({"url":"/hook"})", "url"},
        {"url with a space", C, json_type, R"({"url":"https://example.com/a b"})", "url"},
        {"url with userinfo", C, json_type, R"({"url":"https://u:p@example.com/"})", "url"},
        {"url with fragment", C, json_type, R"({"url":"https://example.com/#x"})", "url"},
        {"url loopback literal", C, json_type, R"({"url":"https://127.0.0.1/"})", "url"},
        {"url metadata literal", U, json_type, R"({"url":"https://169.254.169.254/"})", "url"},
        {"url of 501 characters", C, json_type,
         R"({"url":"https://example.com/)" + std::string(501 - 20, 'a') + "\"}", "url"},
        {"url of 500 characters", C, json_type,
         R"({"url":"https://example.com/)" + std::string(500 - 20, 'a') + "\"}", accepted},
        {"PATCH url", U, json_type, R"({"url":"https://other.example/x"})", accepted},
        // name
        {"name null", C, json_type, with_url(R"("name":null)"), accepted},
        {"name empty", C, json_type, with_url(R"("name":"")"), "name"},
        {"name 1", C, json_type, with_url(R"("name":"x")"), accepted},
        {"name 100 ASCII", C, json_type, with_url("\"name\":\"" + std::string(100, 'n') + "\""), accepted},
        {"name 101 ASCII", C, json_type, with_url("\"name\":\"" + std::string(101, 'n') + "\""), "name"},
        {"name 100 CJK", C, json_type, with_url("\"name\":\"" + repeat("排", 100) + "\""), accepted},
        {"name 101 CJK", C, json_type, with_url("\"name\":\"" + repeat("排", 101) + "\""), "name"},
        {"name 100 emoji", C, json_type, with_url("\"name\":\"" + repeat("\xf0\x9f\x98\x80", 100) + "\""), accepted},
        {"name 101 emoji", C, json_type, with_url("\"name\":\"" + repeat("\xf0\x9f\x98\x80", 101) + "\""), "name"},
        {"name U+0000", C, json_type, with_url(R"("name":"a\u0000b")"), "name"},
        {"name tab", C, json_type, with_url(R"("name":"a\tb")"), "name"},
        {"name newline", C, json_type, with_url(R"("name":"a\nb")"), "name"},
        {"name U+001F", C, json_type, with_url(R"("name":"a\u001fb")"), "name"},
        {"name U+007F", C, json_type, with_url(R"("name":"a\u007fb")"), "name"},
        {"name U+0080", C, json_type, with_url(R"("name":"a\u0080b")"), "name"},
        {"name U+0085", C, json_type, with_url(R"("name":"\u0085")"), "name"},
        {"name U+009F", C, json_type, with_url(R"("name":"a\u009f")"), "name"},
        {"name U+00A0", C, json_type, with_url(R"("name":"a\u00a0b")"), accepted},
        {"name U+0100", C, json_type, with_url(R"("name":"\u0100")"), accepted},
        {"name space and punctuation", C, json_type, with_url(R"("name":" My hook (prod) ")"), accepted},
        {"name not a string", C, json_type, with_url(R"("name":5)"), "name"},
        {"PATCH name null", U, json_type, R"({"name":null})", accepted},
        // secret
        {"secret 16", C, json_type, with_url("\"secret\":\"" + secret16 + "\""), accepted},
        {"secret 15", C, json_type, with_url("\"secret\":\"" + std::string(15, 's') + "\""), "secret"},
        {"secret 128", C, json_type, with_url("\"secret\":\"" + std::string(128, 's') + "\""), accepted},
        {"secret 129", C, json_type, with_url("\"secret\":\"" + std::string(129, 's') + "\""), "secret"},
        {"secret printable edges", C, json_type, with_url(R"("secret":"!!!!!!!!~~~~~~~~")"), accepted},
        {"secret whsec_", C, json_type, with_url(R"("secret":"whsec_0123456789abcdef")"), "secret"},
        {"secret with a space", C, json_type, with_url(R"("secret":"0123456789 abcdef")"), "secret"},
        {"secret with a tab", C, json_type, with_url(R"("secret":"0123456789\tabcdef")"), "secret"},
        {"secret non-ASCII", C, json_type, with_url(R"("secret":"0123456789abcdé")"), "secret"},
        {"secret DEL", C, json_type, with_url(R"("secret":"0123456789abcdef\u007f")"), "secret"},
        {"secret null", C, json_type, with_url(R"("secret":null)"), "secret"},
        {"secret number", C, json_type, with_url(R"("secret":12345678901234567890)"), "secret"},
        // subscribedTypes
        {"types", C, json_type, with_url(R"("subscribedTypes":["alert_triggered"])"), accepted},
        {"types empty", C, json_type, with_url(R"("subscribedTypes":[])"), "subscribedTypes"},
        {"types unknown", C, json_type, with_url(R"("subscribedTypes":["alert"])"), "subscribedTypes"},
        {"types webhook_test", C, json_type, with_url(R"("subscribedTypes":["webhook_test"])"), "subscribedTypes"},
        {"types one unknown among known", C, json_type,
         with_url(R"("subscribedTypes":["alert_triggered","Alert_triggered"])"), "subscribedTypes"},
        {"types not strings", C, json_type, with_url(R"("subscribedTypes":[1])"), "subscribedTypes"},
        {"types a string", C, json_type, with_url(R"("subscribedTypes":"alert_triggered")"), "subscribedTypes"},
        {"types null", C, json_type, with_url(R"("subscribedTypes":null)"), "subscribedTypes"},
        {"types duplicates", C, json_type, with_url(R"("subscribedTypes":["node_online","node_online"])"), accepted},
        // filter
        {"filter {}", C, json_type, with_url(R"("filter":{})"), accepted},
        {"filter null on POST", C, json_type, with_url(R"("filter":null)"), accepted},
        {"filter null on PATCH", U, json_type, R"({"filter":null})", accepted},
        {"filter both", C, json_type, with_url(R"("filter":{"deviceIds":["cam-1"],"sceneIds":["s1"]})"), accepted},
        {"filter unknown key", C, json_type, with_url(R"("filter":{"deviceId":["cam-1"]})"), "filter"},
        {"filter extra key", C, json_type, with_url(R"("filter":{"deviceIds":["cam-1"],"x":1})"), "filter"},
        {"filter an array", C, json_type, with_url(R"("filter":[])"), "filter"},
        {"filter a string", C, json_type, with_url(R"("filter":"cam-1")"), "filter"},
        {"deviceIds 0", C, json_type, with_url(R"("filter":{"deviceIds":[]})"), "filter.deviceIds"},
        {"sceneIds 0", C, json_type, with_url(R"("filter":{"sceneIds":[]})"), "filter.sceneIds"},
        {"deviceIds 1", C, json_type, with_url(R"("filter":{"deviceIds":)" + id_array(1) + "}"), accepted},
        {"deviceIds 100", C, json_type, with_url(R"("filter":{"deviceIds":)" + id_array(100) + "}"), accepted},
        {"deviceIds 101", C, json_type, with_url(R"("filter":{"deviceIds":)" + id_array(101) + "}"),
         "filter.deviceIds"},
        {"sceneIds 100", C, json_type, with_url(R"("filter":{"sceneIds":)" + id_array(100) + "}"), accepted},
        {"sceneIds 101", C, json_type, with_url(R"("filter":{"sceneIds":)" + id_array(101) + "}"), "filter.sceneIds"},
        {"deviceId with a space", C, json_type, with_url(R"("filter":{"deviceIds":["cam 1"]})"), "filter.deviceIds"},
        {"sceneId with a space", C, json_type, with_url(R"("filter":{"sceneIds":["s 1"]})"), "filter.sceneIds"},
        {"deviceId empty", C, json_type, with_url(R"("filter":{"deviceIds":[""]})"), "filter.deviceIds"},
        {"deviceId control", C, json_type, with_url(R"("filter":{"deviceIds":["a\u0001"]})"), "filter.deviceIds"},
        {"deviceId 200 bytes", C, json_type,
         with_url(R"("filter":{"deviceIds":[")" + std::string(200, 'd') + "\"]}"), accepted},
        {"deviceId 201 bytes", C, json_type,
         with_url(R"("filter":{"deviceIds":[")" + std::string(201, 'd') + "\"]}"), "filter.deviceIds"},
        {"deviceId a number", C, json_type, with_url(R"("filter":{"deviceIds":[1]})"), "filter.deviceIds"},
        {"deviceIds a string", C, json_type, with_url(R"("filter":{"deviceIds":"cam-1"})"), "filter.deviceIds"},
        {"deviceIds null", C, json_type, with_url(R"("filter":{"deviceIds":null})"), "filter.deviceIds"},
        {"good deviceIds, bad sceneIds", C, json_type,
         with_url(R"("filter":{"deviceIds":["cam-1"],"sceneIds":["a b"]})"), "filter.sceneIds"},
        // timeoutMs
        {"timeoutMs 999", C, json_type, with_url(R"("timeoutMs":999)"), "timeoutMs"},
        {"timeoutMs 1000", C, json_type, with_url(R"("timeoutMs":1000)"), accepted},
        {"timeoutMs 30000", C, json_type, with_url(R"("timeoutMs":30000)"), accepted},
        {"timeoutMs 30001", C, json_type, with_url(R"("timeoutMs":30001)"), "timeoutMs"},
        {"timeoutMs 0", C, json_type, with_url(R"("timeoutMs":0)"), "timeoutMs"},
        {"timeoutMs -5000", C, json_type, with_url(R"("timeoutMs":-5000)"), "timeoutMs"},
        {"timeoutMs 5000.0", C, json_type, with_url(R"("timeoutMs":5000.0)"), "timeoutMs"},
        {"timeoutMs 5e3", C, json_type, with_url(R"("timeoutMs":5e3)"), "timeoutMs"},
        {"timeoutMs \"5000\"", C, json_type, with_url(R"("timeoutMs":"5000")"), "timeoutMs"},
        {"timeoutMs null", C, json_type, with_url(R"("timeoutMs":null)"), "timeoutMs"},
        {"timeoutMs huge", C, json_type, with_url(R"("timeoutMs":18446744073709551615)"), "timeoutMs"},
        {"timeoutMs 2^32+5000", C, json_type, with_url(R"("timeoutMs":4294972296)"), "timeoutMs"},
        {"PATCH timeoutMs 999", U, json_type, R"({"timeoutMs":999})", "timeoutMs"},
        // maxRetries
        {"maxRetries -1", C, json_type, with_url(R"("maxRetries":-1)"), "maxRetries"},
        {"maxRetries 0", C, json_type, with_url(R"("maxRetries":0)"), accepted},
        {"maxRetries 5", C, json_type, with_url(R"("maxRetries":5)"), accepted},
        {"maxRetries 6", C, json_type, with_url(R"("maxRetries":6)"), "maxRetries"},
        {"maxRetries 3.0", C, json_type, with_url(R"("maxRetries":3.0)"), "maxRetries"},
        {"maxRetries \"3\"", C, json_type, with_url(R"("maxRetries":"3")"), "maxRetries"},
        {"maxRetries true", C, json_type, with_url(R"("maxRetries":true)"), "maxRetries"},
        // enabled
        {"enabled true on POST", C, json_type, with_url(R"("enabled":true)"), accepted},
        {"enabled false on POST", C, json_type, with_url(R"("enabled":false)"), accepted},
        {"enabled \"true\"", C, json_type, with_url(R"("enabled":"true")"), "enabled"},
        {"enabled 1", U, json_type, R"({"enabled":1})", "enabled"},
        {"enabled null", U, json_type, R"({"enabled":null})", "enabled"},
        {"PATCH enabled false", U, json_type, R"({"enabled":false})", accepted},
    };
    for (auto ro : {"id", "disabledReason", "disabledAt", "failCount", "lastTriggered", "lastDeliveryAt", "createdAt",
                    "updatedAt", "previousSecretExpiresAt", "standardWebhooksSecret"}) {
        t.push_back({"read-only on POST", C, json_type, with_url("\"" + std::string(ro) + "\":null"), ro});
        t.push_back({"read-only on PATCH", U, json_type, "{\"" + std::string(ro) + "\":\"x\"}", ro});
    }
    return t;
}

template <class T> T const& accepted_value(std::variant<ssegw::web::api_error, T> const& r) {
    if (auto* e = std::get_if<ssegw::web::api_error>(&r)) ADD_FAILURE() << "refused: " << e->field << ": " << e->message;
    static T const none{};
    auto* v = std::get_if<T>(&r);
    return v ? *v : none;
}

wh::webhook_changes create(std::string const& body) {
    return accepted_value(wh::read_webhook_input(json_type, body, input_for::create, rules));
}
wh::webhook_changes update(std::string const& body) {
    return accepted_value(wh::read_webhook_input(json_type, body, input_for::update, rules));
}

} // namespace

TEST(webhook_input, validation_table) {
    for (auto const& c : cases())
        EXPECT_EQ(outcome(c), c.field) << (c.method == input_for::create ? "POST " : "PATCH ") << c.what << ": "
                                       << c.body.substr(0, 200);
}

TEST(webhook_input, error_messages) {
    auto error = [](std::string const& body, input_for m = input_for::create) {
        auto r = wh::read_webhook_input(json_type, body, m, rules);
        auto* e = std::get_if<ssegw::web::api_error>(&r);
        return e ? e->message : std::string("(accepted)");
    };
    EXPECT_EQ(error(with_url(R"("secrte":"x")")), "unknown field 'secrte'");
    EXPECT_EQ(error("{}", input_for::update), "nothing to update");
    EXPECT_EQ(error(with_url(R"("subscribedTypes":["alert"])")), "unknown event type 'alert'");
    EXPECT_EQ(error(with_url(R"("filter":{"deviceIds":[]})")), "filter.deviceIds must hold 1-100 ids");
    EXPECT_EQ(error(with_url(R"("timeoutMs":1)")), "timeoutMs must be an integer from 1000 to 30000");
    EXPECT_EQ(error(with_url(R"("maxRetries":9)")), "maxRetries must be an integer from 0 to 5");
    EXPECT_EQ(error(with_url(R"("enabled":0)")), "enabled must be true or false");
    EXPECT_EQ(error(with_url(R"("name":"")")), "name must be 1-100 characters");
    EXPECT_EQ(error(R"({"url":"ftp://x/"})"), "url must be an https URL of at most 500 characters");
    EXPECT_EQ(error("[]"), "body must be a JSON object");
}

TEST(webhook_input, minimal_post_sets_only_the_url) {
    auto c = create(with_url(""));
    EXPECT_EQ(c.url, "https://example.com/hook");
    EXPECT_FALSE(c.name);
    EXPECT_FALSE(c.secret);
    EXPECT_FALSE(c.subscribed_types);
    EXPECT_FALSE(c.filter);
    EXPECT_FALSE(c.timeout_ms);
    EXPECT_FALSE(c.max_retries);
    EXPECT_FALSE(c.enabled);
}

TEST(webhook_input, full_post_values) {
    auto c = create(R"({"url":"https://example.com/in","name":"排隊 hook","secret":"0123456789abcdef!",)"
                    R"("subscribedTypes":["node_online","alert_triggered","node_online","analysis_started"],)"
                    R"("filter":{"sceneIds":["s1"],"deviceIds":["cam-2","cam-1","cam-2"]},)"
                    R"("timeoutMs":1000,"maxRetries":0,"enabled":false})");
    EXPECT_EQ(c.url, "https://example.com/in");
    ASSERT_TRUE(c.name);
    EXPECT_EQ(*c.name, "排隊 hook");
    EXPECT_EQ(c.secret, "0123456789abcdef!");
    // Duplicates merged, catalogue order.
    EXPECT_EQ(c.subscribed_types, "analysis_started alert_triggered node_online");
    // deviceIds first, duplicates dropped, given order kept.
    EXPECT_EQ(c.filter, R"({"deviceIds":["cam-2","cam-1"],"sceneIds":["s1"]})");
    EXPECT_EQ(c.timeout_ms, 1000);
    EXPECT_EQ(c.max_retries, 0);
    EXPECT_EQ(c.enabled, false);
}

TEST(webhook_input, every_catalogue_type_in_reverse_comes_back_in_catalogue_order) {
    std::string types, expected;
    for (auto it = wh::event_types.rbegin(); it != wh::event_types.rend(); ++it)
        types += (types.empty() ? "\"" : ",\"") + std::string(*it) + "\"";
    for (auto t : wh::event_types) expected += (expected.empty() ? "" : " ") + std::string(t);
    EXPECT_EQ(create(with_url("\"subscribedTypes\":[" + types + "]")).subscribed_types, expected);
}

TEST(webhook_input, filter_values) {
    EXPECT_EQ(create(with_url(R"("filter":null)")).filter, "{}");
    EXPECT_EQ(create(with_url(R"("filter":{})")).filter, "{}");
    EXPECT_EQ(update(R"({"filter":null})").filter, "{}");
    EXPECT_EQ(update(R"({"filter":{"sceneIds":["s\"1","場景"]}})").filter, R"({"sceneIds":["s\"1","場景"]})");
}

TEST(webhook_input, patch_values) {
    auto c = update(R"({"name":null})");
    ASSERT_TRUE(c.name);
    EXPECT_FALSE(*c.name);  // set to null
    EXPECT_FALSE(c.url);
    auto d = update(R"({"enabled":true,"maxRetries":5,"timeoutMs":30000})");
    EXPECT_EQ(d.enabled, true);
    EXPECT_EQ(d.max_retries, 5);
    EXPECT_EQ(d.timeout_ms, 30000);
    EXPECT_FALSE(d.name);
}

TEST(webhook_input, http_urls_with_allow_http) {
    wh::url_rules http{true, &default_address_policy};
    auto r = wh::read_webhook_input(json_type, R"({"url":"http://example.com/"})", input_for::create, http);
    ASSERT_TRUE(std::holds_alternative<wh::webhook_changes>(r));
    EXPECT_EQ(std::get<wh::webhook_changes>(r).url, "http://example.com/");
}

TEST(regenerate_input, empty_or_object_without_secret_makes_one) {
    for (auto body : {"", "{}", " {} "}) {
        auto r = wh::read_regenerate_input(json_type, body);
        ASSERT_TRUE((std::holds_alternative<std::optional<std::string>>(r))) << body;
        EXPECT_FALSE(std::get<std::optional<std::string>>(r)) << body;
    }
    // No body needs no content type.
    auto r = wh::read_regenerate_input("", "");
    ASSERT_TRUE((std::holds_alternative<std::optional<std::string>>(r)));
    EXPECT_FALSE(std::get<std::optional<std::string>>(r));
}

TEST(regenerate_input, a_given_secret) {
    auto r = wh::read_regenerate_input("application/json; charset=utf-8", R"({"secret":"my-own-secret-0123"})");
    ASSERT_TRUE((std::holds_alternative<std::optional<std::string>>(r)));
    EXPECT_EQ(std::get<std::optional<std::string>>(r), "my-own-secret-0123");
}

TEST(regenerate_input, refusals_name_their_field) {
    struct {
        char const* content_type;
        std::string body;
        char const* field;
    } const table[] = {
        {json_type, R"({"secret":"short"})", "secret"},
        {json_type, R"({"secret":"whsec_0123456789abcdef"})", "secret"},
        {json_type, R"({"secret":"0123456789 abcdef"})", "secret"},
        {json_type, "{\"secret\":\"" + std::string(129, 'x') + "\"}", "secret"},
        {json_type, R"({"secret":null})", "secret"},
        {json_type, R"({"secret":1234567890123456789})", "secret"},
        {json_type, R"({"secrte":"0123456789abcdef"})", "secrte"},
        {json_type, R"({"secret":"0123456789abcdef","url":"https://example.com/"})", "url"},
        {json_type, R"({"standardWebhooksSecret":"whsec_MDEyMzQ1Njc4OWFiY2RlZg=="})", "standardWebhooksSecret"},
        {json_type, "[]", "body"},
        {json_type, "null", "body"},
        {json_type, "{", "body"},
        {"text/plain", "{}", "body"},
    };
    for (auto const& c : table) {
        auto r = wh::read_regenerate_input(c.content_type, c.body);
        auto* e = std::get_if<ssegw::web::api_error>(&r);
        ASSERT_TRUE(e) << c.body;
        EXPECT_EQ(e->kind, ssegw::web::error_kind::bad_request) << c.body;
        EXPECT_EQ(e->field, c.field) << c.body;
    }
}

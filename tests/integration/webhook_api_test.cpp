// The webhook management API (docs/WEBHOOKS.md) against a real redis-server and the real
// sse-gateway: every endpoint's statuses and shapes, the validation rules, the scope matrix and
// check order, one webhook per user under racing POSTs, secrets (regeneration, grace, sealing at
// rest, key rotation), and the refusals while Redis is away.
#include "common/redis/keys.hpp"
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <regex>
#include <future>
#include <set>
#include <thread>

namespace ssegw::it {
namespace {

using json = nlohmann::json;

constexpr char const* hook = "/api/v1/users/me/webhook";
constexpr char const* key_a = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr char const* key_b = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

class webhook_api : public gateway_test {
protected:
    void SetUp() override {
        gateway_test::SetUp();
        write_keys({key_a});
        user_ = unique("u");
        writer_ = new_key(user_, {.scopes = "webhook:write"});
    }

    void write_keys(std::vector<std::string> const& lines, mode_t mode = 0600) { key_file_ = write_key_file(lines, mode); }

    gateway& start(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--webhook-secret-key-file", key_file_};
        args.insert(args.end(), extra.begin(), extra.end());
        gw_ = &start_gateway(args);
        return *gw_;
    }

    http_response call(std::string method, std::string const& target, std::string const& key, std::string body = {},
                       std::string content_type = "application/json", header_list extra = {}) {
        http_request r{std::move(method), target, std::move(extra), std::move(body)};
        if (!key.empty()) r.headers.emplace_back("Authorization", "Bearer " + key);
        if (!r.body.empty()) r.headers.emplace_back("Content-Type", content_type);
        return send_request(gw_->port(), r);
    }

    static json data_of(http_response const& r) {
        auto j = json::parse(r.body, nullptr, false);
        if (j.is_discarded() || !j.contains("data")) return json();
        return j["data"];
    }

    json create(std::string const& body = R"({"url":"https://hooks.example.com/in"})") {
        auto r = call("POST", hook, writer_, body);
        EXPECT_EQ(r.status(), 201) << r.dump();
        return data_of(r);
    }

    /// Every key and value in Redis, as one text to search.
    std::string redis_dump() {
        std::string all;
        std::string cursor = "0";
        do {
            auto r = redis().command({"SCAN", cursor, "COUNT", "1000"});
            cursor.assign(r->element[0]->str, r->element[0]->len);
            for (std::size_t i = 0; i < r->element[1]->elements; ++i) {
                std::string key(r->element[1]->element[i]->str, r->element[1]->element[i]->len);
                all += key + "\n";
                auto dumped = redis().command({"DUMP", key});
                if (dumped->type == REDIS_REPLY_STRING) all.append(dumped->str, dumped->len);
                auto type = redis().command({"TYPE", key});
                std::string t(type->str, type->len);
                if (t == "hash") {
                    auto h = redis().command({"HGETALL", key});
                    for (std::size_t j = 0; j < h->elements; ++j) all += std::string(h->element[j]->str, h->element[j]->len) + "\n";
                } else if (t == "string") {
                    auto s = redis().command({"GET", key});
                    all += std::string(s->str, s->len) + "\n";
                }
            }
        } while (cursor != "0");
        return all;
    }

    std::string key_file_;
    gateway* gw_ = nullptr;
    std::string user_, writer_;
};

// ---- the API is off without a key file; the key file's own refusals ---------------------------

TEST_F(webhook_api, paths_are_unknown_without_a_key_file) {
    gw_ = &start_gateway();
    for (auto const* path : {hook, "/api/v1/users/me/webhook/secret", "/api/v1/webhook/event-types"})
        EXPECT_TRUE(is_error(call("GET", path, writer_), 404, "NOT_FOUND")) << path;
}

TEST_F(webhook_api, bad_key_files_and_repeated_flags_exit_2_naming_the_file) {
    auto expect_exit_2 = [&](std::vector<std::string> args, std::string const& must_name) {
        process_options o;
        o.path = gateway_binary();
        o.args = {"--listen", "127.0.0.1:0", "--redis", redis_server_->url()};
        o.args.insert(o.args.end(), args.begin(), args.end());
        o.stderr_file = dir_->file("bad.err").string();
        process p(o);
        auto st = p.wait_until(in(10s));
        auto err = read_file(o.stderr_file);
        ASSERT_TRUE(st && WIFEXITED(*st)) << err;
        EXPECT_EQ(WEXITSTATUS(*st), 2) << err;
        EXPECT_NE(err.find(must_name), std::string::npos) << err;
        EXPECT_EQ(err.find('\n'), err.size() - 1) << "one line: " << err;
    };
    expect_exit_2({"--webhook-secret-key-file", dir_->file("missing.keys").string()}, "missing.keys");
    write_keys({key_a}, 0640);
    expect_exit_2({"--webhook-secret-key-file", key_file_}, "webhook.keys");
    write_keys({key_a}, 0604);
    expect_exit_2({"--webhook-secret-key-file", key_file_}, "webhook.keys");
    write_keys({"not-hex"});
    expect_exit_2({"--webhook-secret-key-file", key_file_}, "webhook.keys");
    write_keys({});
    expect_exit_2({"--webhook-secret-key-file", key_file_}, "webhook.keys");
    write_keys({key_a});
    expect_exit_2({"--webhook-secret-key-file", key_file_, "--webhook-secret-grace", "1.5"}, "--webhook-secret-grace");
    expect_exit_2({"--webhook-secret-key-file", key_file_, "--webhook-allow-net", "10.0.0.0/33"}, "--webhook-allow-net");
    expect_exit_2({"--webhook-secret-key-file", key_file_, "--webhook-secret-grace", "10", "--webhook-secret-grace", "20"},
                  "--webhook-secret-grace");
}

// ---- every endpoint, status and shape -----------------------------------------------------------

TEST_F(webhook_api, create_read_patch_delete) {
    start();
    EXPECT_TRUE(is_error(call("GET", hook, writer_), 404, "NOT_FOUND"));

    auto r = call("POST", hook, writer_, R"({"url":"https://hooks.example.com/in","name":"ops","maxRetries":5})");
    ASSERT_EQ(r.status(), 201) << r.dump();
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    auto created = data_of(r);
    std::vector<std::string> keys;
    for (auto const& [k, _] : created.items()) keys.push_back(k);
    std::set<std::string> want = {"id", "url", "name", "subscribedTypes", "filter", "timeoutMs", "maxRetries", "enabled",
                                  "disabledReason", "disabledAt", "failCount", "lastTriggered", "lastDeliveryAt",
                                  "previousSecretExpiresAt", "createdAt", "updatedAt", "secret", "standardWebhooksSecret"};
    EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()), want);
    auto id = created["id"].get<std::string>();
    EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))) << id;
    EXPECT_EQ(created["url"], "https://hooks.example.com/in");
    EXPECT_EQ(created["name"], "ops");
    EXPECT_EQ(created["subscribedTypes"].size(), 15u);
    EXPECT_EQ(created["subscribedTypes"][0], "analysis_started");
    EXPECT_EQ(created["filter"], json::object());
    EXPECT_EQ(created["timeoutMs"], 5000);
    EXPECT_EQ(created["maxRetries"], 5);
    EXPECT_EQ(created["enabled"], true);
    EXPECT_TRUE(created["disabledReason"].is_null());
    EXPECT_EQ(created["failCount"], 0);
    EXPECT_TRUE(created["lastTriggered"].is_null());
    EXPECT_TRUE(created["previousSecretExpiresAt"].is_null());
    EXPECT_TRUE(std::regex_match(created["createdAt"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    EXPECT_EQ(created["createdAt"], created["updatedAt"]);
    auto secret = created["secret"].get<std::string>();
    EXPECT_TRUE(std::regex_match(secret, std::regex("[0-9a-f]{64}"))) << secret;
    EXPECT_EQ(created["standardWebhooksSecret"].get<std::string>().rfind("whsec_", 0), 0u);

    // Read: the same webhook, without the secret.
    r = call("GET", hook, writer_);
    ASSERT_EQ(r.status(), 200) << r.dump();
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    auto read = data_of(r);
    EXPECT_FALSE(read.contains("secret"));
    EXPECT_FALSE(read.contains("standardWebhooksSecret"));
    EXPECT_EQ(r.body.find(secret), std::string::npos);
    EXPECT_EQ(read["id"], id);

    // One per user.
    EXPECT_TRUE(is_error(call("POST", hook, writer_, R"({"url":"https://other.example.com/"})"), 409, "CONFLICT"));

    // Patch: members change, updatedAt moves, id and createdAt stay.
    std::this_thread::sleep_for(5ms);
    r = call("PATCH", hook, writer_,
             R"({"name":null,"subscribedTypes":["device_offline","alert_triggered","device_offline"],)"
             R"("filter":{"deviceIds":["cam-1"]},"timeoutMs":1000})");
    ASSERT_EQ(r.status(), 200) << r.dump();
    auto patched = data_of(r);
    EXPECT_TRUE(patched["name"].is_null());
    EXPECT_EQ(patched["subscribedTypes"], json({"alert_triggered", "device_offline"}));
    EXPECT_EQ(patched["filter"], json({{"deviceIds", {"cam-1"}}}));
    EXPECT_EQ(patched["timeoutMs"], 1000);
    EXPECT_EQ(patched["maxRetries"], 5);
    EXPECT_EQ(patched["id"], id);
    EXPECT_EQ(patched["createdAt"], created["createdAt"]);
    EXPECT_GT(patched["updatedAt"].get<std::string>(), created["updatedAt"].get<std::string>());
    EXPECT_FALSE(patched.contains("secret"));
    r = call("PATCH", hook, writer_, R"({"filter":null})");
    EXPECT_EQ(data_of(r)["filter"], json::object());

    // Delete: 204 without a body, then gone; a new POST makes another webhook.
    r = call("DELETE", hook, writer_);
    EXPECT_EQ(r.status(), 204) << r.dump();
    EXPECT_TRUE(r.body.empty());
    EXPECT_TRUE(is_error(call("GET", hook, writer_), 404, "NOT_FOUND"));
    EXPECT_TRUE(is_error(call("DELETE", hook, writer_), 404, "NOT_FOUND"));
    EXPECT_TRUE(is_error(call("PATCH", hook, writer_, R"({"name":"x"})"), 404, "NOT_FOUND"));
    EXPECT_TRUE(is_error(call("GET", "/api/v1/users/me/webhook/secret", writer_), 404, "NOT_FOUND"));
    EXPECT_TRUE(is_error(call("POST", "/api/v1/users/me/webhook/secret/regenerate", writer_), 404, "NOT_FOUND"));
    auto again = create();
    EXPECT_NE(again["id"], id);
    EXPECT_EQ(scrape(gw_->port(), "sse_gateway_webhook_requests_total{status=\"201\"}"), 2.0);
    EXPECT_EQ(scrape(gw_->port(), "sse_gateway_webhook_requests_total{status=\"409\"}"), 1.0);
}

TEST_F(webhook_api, enabled_and_disabled_reason) {
    start();
    create();
    auto r = call("PATCH", hook, writer_, R"({"enabled":false})");
    auto d = data_of(r);
    EXPECT_EQ(d["enabled"], false);
    EXPECT_EQ(d["disabledReason"], "manual");
    EXPECT_TRUE(d["disabledAt"].is_string());
    // A disabled webhook that failed: re-enabling clears the reason, the time, failCount and the clock.
    redis().command({"HSET", redis::keys::webhook(user_), "failCount", "7", "failingSince", "1700000000000"});
    r = call("PATCH", hook, writer_, R"({"enabled":true})");
    d = data_of(r);
    EXPECT_EQ(d["enabled"], true);
    EXPECT_TRUE(d["disabledReason"].is_null());
    EXPECT_TRUE(d["disabledAt"].is_null());
    EXPECT_EQ(d["failCount"], 0);
    auto clock = redis().command({"HEXISTS", redis::keys::webhook(user_), "failingSince"});
    EXPECT_EQ(clock->integer, 0);
    // Created disabled.
    call("DELETE", hook, writer_);
    auto c = create(R"({"url":"https://hooks.example.com/in","enabled":false})");
    EXPECT_EQ(c["enabled"], false);
    EXPECT_EQ(c["disabledReason"], "manual");
}

TEST_F(webhook_api, event_catalogue_for_any_key) {
    start();
    auto r = call("GET", "/api/v1/webhook/event-types", new_key(user_, {.scopes = "device:read"}));
    ASSERT_EQ(r.status(), 200) << r.dump();
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    EXPECT_EQ(data_of(r)["eventTypes"],
              json({"analysis_started", "analysis_stopped", "analysis_error", "alert_triggered", "device_offline",
                    "device_online", "device_analysis_error", "node_offline", "node_online", "node_error",
                    "quota_warning", "quota_exceeded", "billing_cycle_completed", "maintenance_scheduled",
                    "system_announcement"}));
    EXPECT_TRUE(is_error(call("GET", "/api/v1/webhook/event-types", ""), 401, "UNAUTHORIZED"));
}

// ---- validation: every rule, with its field ------------------------------------------------------

struct rule_case {
    char const* method;
    char const* body;
    char const* field;
};

TEST_F(webhook_api, every_validation_rule_is_a_400_naming_its_field) {
    start({"--webhook-allow-net", "192.168.7.0/24"});
    std::string const long_url = "https://hooks.example.com/" + std::string(475, 'a');  // 501 characters
    std::string const ok_url = "https://hooks.example.com/" + std::string(474, 'a');    // 500
    std::string name101, name100;
    for (int i = 0; i < 100; ++i) name100 += "名";
    name101 = name100 + "x";
    std::string ids101 = "[";
    for (int i = 0; i < 101; ++i) ids101 += (i ? ",\"d" : "\"d") + std::to_string(i) + "\"";
    ids101 += "]";
    std::vector<std::pair<std::string, std::string>> refused = {  // body, field (POST)
        {"[]", "body"},
        {"\"x\"", "body"},
        {"{", "body"},
        {"{}", "url"},
        {R"({"url":"https://a.example.com/","secrte":"x"})", "secrte"},
        {R"({"url":"https://a.example.com/","id":"x"})", "id"},
        {R"({"url":"https://a.example.com/","createdAt":"x"})", "createdAt"},
        {R"({"url":"https://a.example.com/","failCount":0})", "failCount"},
        {R"({"url":"http://a.example.com/"})", "url"},
        {R"({"url":"ftp://a.example.com/"})", "url"},
        {R"({"url":"/relative"})", "url"},
        {R"({"url":"https://user:pw@a.example.com/"})", "url"},
        {R"({"url":"https://a.example.com/#frag"})", "url"},
        {R"({"url":"https://a.example.com:0/"})", "url"},
        {R"({"url":"https://a.example.com:65536/"})", "url"},
        {R"({"url":"https://a.example.com/a b"})", "url"},
        {R"({"url":"https://bücher.example/"})", "url"},
        {R"({"url":"https://127.0.0.1/"})", "url"},
        {R"({"url":"https://169.254.169.254/latest"})", "url"},
        {R"({"url":"https://10.1.2.3/"})", "url"},
        {R"({"url":"https://[::1]/"})", "url"},
        {R"({"url":"https://[fd00:ec2::254]/"})", "url"},
        {R"({"url":"https://[::ffff:127.0.0.1]/"})", "url"},
        {R"({"url":")" + long_url + "\"}", "url"},
        {R"({"url":42})", "url"},
        {R"({"url":"https://a.example.com/","name":""})", "name"},
        {R"({"url":"https://a.example.com/","name":")" + name101 + "\"}", "name"},
        {R"({"url":"https://a.example.com/","name":"a\u0007b"})", "name"},
        {R"({"url":"https://a.example.com/","name":"a\u007fb"})", "name"},
        {R"({"url":"https://a.example.com/","name":"a\u0085b"})", "name"},
        {R"({"url":"https://a.example.com/","name":5})", "name"},
        {R"({"url":"https://a.example.com/","secret":"short"})", "secret"},
        {R"({"url":"https://a.example.com/","secret":"whsec_abcdefghijklmnopqr"})", "secret"},
        {R"({"url":"https://a.example.com/","secret":"has a space in it here"})", "secret"},
        {R"({"url":"https://a.example.com/","secret":")" + std::string(129, 'x') + "\"}", "secret"},
        {R"({"url":"https://a.example.com/","subscribedTypes":[]})", "subscribedTypes"},
        {R"({"url":"https://a.example.com/","subscribedTypes":["alert"]})", "subscribedTypes"},
        {R"({"url":"https://a.example.com/","subscribedTypes":["webhook_test"]})", "subscribedTypes"},
        {R"({"url":"https://a.example.com/","subscribedTypes":"alert_triggered"})", "subscribedTypes"},
        {R"({"url":"https://a.example.com/","filter":[]})", "filter"},
        {R"({"url":"https://a.example.com/","filter":{"devices":["a"]}})", "filter"},
        {R"({"url":"https://a.example.com/","filter":{"deviceIds":[]}})", "filter.deviceIds"},
        {R"({"url":"https://a.example.com/","filter":{"deviceIds":)" + ids101 + "}}", "filter.deviceIds"},
        {R"({"url":"https://a.example.com/","filter":{"sceneIds":["a b"]}})", "filter.sceneIds"},
        {R"({"url":"https://a.example.com/","filter":{"sceneIds":[1]}})", "filter.sceneIds"},
        {R"({"url":"https://a.example.com/","timeoutMs":999})", "timeoutMs"},
        {R"({"url":"https://a.example.com/","timeoutMs":30001})", "timeoutMs"},
        {R"({"url":"https://a.example.com/","timeoutMs":5000.0})", "timeoutMs"},
        {R"({"url":"https://a.example.com/","timeoutMs":"5000"})", "timeoutMs"},
        {R"({"url":"https://a.example.com/","maxRetries":-1})", "maxRetries"},
        {R"({"url":"https://a.example.com/","maxRetries":6})", "maxRetries"},
        {R"({"url":"https://a.example.com/","enabled":"true"})", "enabled"},
    };
    for (auto const& [body, field] : refused) {
        auto r = call("POST", hook, writer_, body);
        EXPECT_TRUE(is_error(r, 400, "BAD_REQUEST")) << body;
        EXPECT_EQ(json::parse(r.body, nullptr, false).value("/error/field"_json_pointer, ""), field) << body << "\n" << r.body;
    }
    // Not JSON by its content type, and an empty POST (which fails on the required url).
    auto r = call("POST", hook, writer_, R"({"url":"https://a.example.com/"})", "text/plain");
    EXPECT_EQ(json::parse(r.body, nullptr, false).value("/error/field"_json_pointer, ""), "body") << r.body;
    r = call("POST", hook, writer_);
    EXPECT_EQ(json::parse(r.body, nullptr, false).value("/error/field"_json_pointer, ""), "url") << r.body;
    EXPECT_TRUE(is_error(call("GET", hook, writer_), 404, "NOT_FOUND")) << "a refused POST created nothing";

    // The edges that pass; an allowed private network; charset on the content type.
    r = call("POST", hook, writer_,
             R"({"url":")" + ok_url + R"(","name":")" + name100 +
                 R"(","secret":"whsec-is-fine-here!","timeoutMs":30000,"maxRetries":0,)"
                 R"("subscribedTypes":["quota_exceeded","analysis_started","quota_exceeded"],"filter":{"sceneIds":["s-1"]}})",
             "application/json; charset=utf-8");
    ASSERT_EQ(r.status(), 201) << r.dump();
    EXPECT_EQ(data_of(r)["subscribedTypes"], json({"analysis_started", "quota_exceeded"}));
    EXPECT_EQ(data_of(r)["secret"], "whsec-is-fine-here!");
    EXPECT_EQ(call("PATCH", hook, writer_, R"({"url":"https://192.168.7.9:8443/in"})").status(), 200);
    EXPECT_EQ(call("PATCH", hook, writer_, R"({"url":"https://[2001:4860::1]/in?q=%20x"})").status(), 200);

    // PATCH's own rules.
    for (auto const& [body, field] : std::vector<std::pair<std::string, std::string>>{
             {"{}", "body"},
             {R"({"secret":"a-perfectly-good-secret"})", "secret"},
             {R"({"url":null})", "url"},
             {R"({"updatedAt":"2026-01-01T00:00:00.000Z"})", "updatedAt"},
             {R"({"enabled":1})", "enabled"}}) {
        auto p = call("PATCH", hook, writer_, body);
        EXPECT_TRUE(is_error(p, 400, "BAD_REQUEST")) << body;
        EXPECT_EQ(json::parse(p.body, nullptr, false).value("/error/field"_json_pointer, ""), field) << body << "\n" << p.body;
    }
    // Regenerate's.
    for (auto const& [body, field] : std::vector<std::pair<std::string, std::string>>{
             {R"({"secret":"short"})", "secret"}, {R"({"grace":1})", "grace"}, {"[1]", "body"}}) {
        auto p = call("POST", "/api/v1/users/me/webhook/secret/regenerate", writer_, body);
        EXPECT_TRUE(is_error(p, 400, "BAD_REQUEST")) << body;
        EXPECT_EQ(json::parse(p.body, nullptr, false).value("/error/field"_json_pointer, ""), field) << body;
    }
}

TEST_F(webhook_api, http_urls_only_when_allowed) {
    start({"--webhook-allow-http", "--webhook-allow-net", "127.0.0.0/8"});
    auto c = create(R"({"url":"http://127.0.0.1:9/in"})");
    EXPECT_EQ(c["url"], "http://127.0.0.1:9/in");
}

TEST_F(webhook_api, body_over_64_kib_is_413) {
    start();
    std::string body = R"({"url":"https://a.example.com/","name":")" + std::string(70 * 1024, 'a') + "\"}";
    auto r = call("POST", hook, writer_, body);
    EXPECT_TRUE(is_error(r, 413, "BAD_REQUEST")) << r.dump();
}

// ---- scopes and the order of checks ---------------------------------------------------------------

TEST_F(webhook_api, scope_matrix) {
    start();
    create();
    auto reader = new_key(user_, {.scopes = "webhook:read"});
    auto both = new_key(user_, {.scopes = "device:read webhook:read"});
    auto stream_only = new_key(user_, {.scopes = "device:read analytics:read"});
    auto writer = writer_;
    struct endpoint {
        char const* method;
        char const* path;
        char const* body;
        bool write;
    };
    // The writes go last and leave the webhook in place until the DELETE.
    std::vector<endpoint> endpoints = {
        {"GET", hook, "", false},
        {"GET", "/api/v1/users/me/webhook/secret", "", true},
        {"PATCH", hook, R"({"name":"n"})", true},
        {"POST", "/api/v1/users/me/webhook/secret/regenerate", "", true},
        {"POST", hook, R"({"url":"https://a.example.com/"})", true},  // 409: it exists
        {"DELETE", hook, "", true},
    };
    for (auto const& e : endpoints) {
        for (auto const& k : {stream_only, reader, both}) {
            bool allowed = !e.write && k != stream_only;
            auto r = call(e.method, e.path, k, e.body);
            if (allowed) EXPECT_EQ(r.status(), 200) << e.method << " " << e.path << "\n" << r.dump();
            else EXPECT_TRUE(is_error(r, 403, "FORBIDDEN")) << e.method << " " << e.path << " scopes of " << k;
        }
        auto r = call(e.method, e.path, writer, e.body);
        int want = std::string(e.method) == "DELETE" ? 204 : std::string(e.method) == "POST" && e.body[0] ? 409 : 200;
        EXPECT_EQ(r.status(), want) << e.method << " " << e.path << "\n" << r.dump();
    }
    // A webhook key opens no stream.
    add_device(redis(), user_, "cam-1");
    EXPECT_TRUE(is_error(http_get(gw_->port(), "/api/v1/devices/cam-1/analysis/stream", {{"Authorization", "Bearer " + writer}}),
                        403, "FORBIDDEN"));
}

TEST_F(webhook_api, checks_in_order_path_method_key_scope_validation_state) {
    start();
    auto reader = new_key(user_, {.scopes = "webhook:read"});
    // Path before everything.
    EXPECT_TRUE(is_error(call("GET", "/api/v1/users/me/webhooks", ""), 404, "NOT_FOUND"));
    // Method before the key: 405 with Allow.
    auto r = call("PUT", hook, "", R"({"url":"x"})");
    EXPECT_TRUE(is_error(r, 405, "METHOD_NOT_ALLOWED"));
    EXPECT_EQ(r.header("Allow"), "GET, POST, PATCH, DELETE, OPTIONS");
    EXPECT_TRUE(is_error(call("POST", "/api/v1/users/me/webhook/secret", writer_), 405, "METHOD_NOT_ALLOWED"));
    // The key before the scope and the body; only the header carries it.
    r = call("POST", hook, "", "[]");
    EXPECT_TRUE(is_error(r, 401, "UNAUTHORIZED"));
    EXPECT_EQ(r.header("WWW-Authenticate").value_or("").rfind("Bearer", 0), 0u);
    EXPECT_TRUE(is_error(call("GET", std::string(hook) + "?access_token=" + writer_, ""), 401, "UNAUTHORIZED"));
    EXPECT_TRUE(is_error(call("POST", hook, random_key(), "[]"), 401, "UNAUTHORIZED"));
    EXPECT_TRUE(is_error(call("POST", hook, new_key(user_, {.scopes = "webhook:write", .revoked = true}), "[]"), 401,
                         "UNAUTHORIZED"));
    // A stream ticket is not a key here either.
    auto stream_key = new_key(user_, {.scopes = "device:read webhook:write"});
    auto t = send_request(gw_->port(), {"POST", "/api/v1/stream-tickets", {{"Authorization", "Bearer " + stream_key}}, ""});
    ASSERT_EQ(t.status(), 201) << t.dump();
    auto ticket = json::parse(t.body)["ticket"].get<std::string>();
    EXPECT_TRUE(is_error(call("GET", std::string(hook) + "?ticket=" + ticket, ""), 401, "UNAUTHORIZED"));
    // Scope before validation; validation before state (no webhook exists: still a 400).
    EXPECT_TRUE(is_error(call("PATCH", hook, reader, "[]"), 403, "FORBIDDEN"));
    EXPECT_TRUE(is_error(call("PATCH", hook, writer_, "[]"), 400, "BAD_REQUEST"));
    EXPECT_TRUE(is_error(call("PATCH", hook, writer_, R"({"name":"n"})"), 404, "NOT_FOUND"));
}

TEST_F(webhook_api, cors_preflight_with_cors_origin) {
    start({"--cors-origin", "https://app.example.com"});
    auto r = call("OPTIONS", hook, "", {}, "",
                  {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "PATCH"}});
    EXPECT_EQ(r.status(), 204) << r.dump();
    EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "https://app.example.com");
    EXPECT_NE(r.header("Access-Control-Allow-Methods").value_or("").find("PATCH"), std::string::npos);
    EXPECT_NE(r.header("Access-Control-Allow-Headers").value_or("").find("Content-Type"), std::string::npos);
    r = call("GET", "/api/v1/webhook/event-types", writer_, {}, "", {{"Origin", "https://app.example.com"}});
    EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "https://app.example.com");
}

// ---- one webhook per user -----------------------------------------------------------------------

TEST_F(webhook_api, racing_posts_give_exactly_one_201) {
    start();
    constexpr int n = 16;
    std::vector<std::future<int>> results;
    for (int i = 0; i < n; ++i)
        results.push_back(std::async(std::launch::async, [this, i] {
            return call("POST", hook, writer_, R"({"url":"https://a.example.com/)" + std::to_string(i) + "\"}").status();
        }));
    int created = 0, conflicts = 0;
    for (auto& f : results) {
        int s = f.get();
        created += s == 201;
        conflicts += s == 409;
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(conflicts, n - 1);
}

// ---- secrets --------------------------------------------------------------------------------------

TEST_F(webhook_api, regenerate_keeps_the_old_secret_for_the_grace_period) {
    start({"--webhook-secret-grace", "3600"});
    auto first = create()["secret"].get<std::string>();
    auto r = call("GET", "/api/v1/users/me/webhook/secret", writer_);
    ASSERT_EQ(r.status(), 200) << r.dump();
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    EXPECT_EQ(data_of(r)["secret"], first);
    EXPECT_TRUE(data_of(r)["previousSecretExpiresAt"].is_null());

    auto before = call("GET", hook, writer_);
    std::this_thread::sleep_for(5ms);
    r = call("POST", "/api/v1/users/me/webhook/secret/regenerate", writer_);
    ASSERT_EQ(r.status(), 200) << r.dump();
    auto d = data_of(r);
    auto second = d["secret"].get<std::string>();
    EXPECT_NE(second, first);
    EXPECT_TRUE(std::regex_match(second, std::regex("[0-9a-f]{64}")));
    EXPECT_EQ(d["standardWebhooksSecret"].get<std::string>().rfind("whsec_", 0), 0u);
    ASSERT_TRUE(d["previousSecretExpiresAt"].is_string());
    // About an hour from now (by the gateway's clock: the test's, within a minute).
    auto after = data_of(call("GET", hook, writer_));
    EXPECT_EQ(after["previousSecretExpiresAt"], d["previousSecretExpiresAt"]);
    EXPECT_GT(after["updatedAt"].get<std::string>(), data_of(before)["updatedAt"].get<std::string>());
    auto until = std::stoll(std::string(redis().command({"HGET", redis::keys::webhook(user_), "previousSecretUntil"})->str));
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_NEAR(static_cast<double>(until - now_ms), 3600e3, 60e3);
    EXPECT_EQ(data_of(call("GET", "/api/v1/users/me/webhook/secret", writer_))["secret"], second);

    // A given secret is used as is; the one it replaces becomes the only previous secret.
    r = call("POST", "/api/v1/users/me/webhook/secret/regenerate", writer_, R"({"secret":"my-own-secret-0123456789"})");
    ASSERT_EQ(r.status(), 200) << r.dump();
    EXPECT_EQ(data_of(r)["secret"], "my-own-secret-0123456789");
    EXPECT_EQ(call("POST", "/api/v1/users/me/webhook/secret/regenerate", writer_, "{}").status(), 200);
    auto fields = redis().command({"HGETALL", redis::keys::webhook(user_)});
    int sealed = 0;
    for (std::size_t i = 0; i + 1 < fields->elements; i += 2) {
        std::string v(fields->element[i + 1]->str, fields->element[i + 1]->len);
        sealed += v.rfind("v1.", 0) == 0;
    }
    EXPECT_EQ(sealed, 2) << "current and previous secret, nothing older";
}

TEST_F(webhook_api, grace_zero_keeps_no_previous_secret) {
    start({"--webhook-secret-grace", "0"});
    create();
    auto r = call("POST", "/api/v1/users/me/webhook/secret/regenerate", writer_);
    ASSERT_EQ(r.status(), 200) << r.dump();
    EXPECT_TRUE(data_of(r)["previousSecretExpiresAt"].is_null());
    auto kept = redis().command({"HEXISTS", redis::keys::webhook(user_), "previousSecret"});
    EXPECT_EQ(kept->integer, 0);
}

TEST_F(webhook_api, the_plain_secret_is_nowhere_in_redis_or_the_logs) {
    start({"--log-level", "debug"});
    auto c = create(R"({"url":"https://a.example.com/","secret":"given-secret-to-find-1234"})");
    auto made = data_of(call("POST", "/api/v1/users/me/webhook/secret/regenerate", writer_))["secret"].get<std::string>();
    auto given2 = data_of(call("POST", "/api/v1/users/me/webhook/secret/regenerate", writer_,
                               R"({"secret":"second-given-secret-5678"})"))["secret"].get<std::string>();
    call("GET", "/api/v1/users/me/webhook/secret", writer_);
    auto dump = redis_dump();
    auto log = gw_->log();
    for (auto const& s : {std::string("given-secret-to-find-1234"), made, given2}) {
        EXPECT_EQ(dump.find(s), std::string::npos) << s << " found in Redis";
        EXPECT_EQ(log.find(s), std::string::npos) << s << " found in the log";
    }
    EXPECT_EQ(log.find(writer_), std::string::npos) << "the API key in the log";
    // Sealed as v1.<keyId>.<base64>, keyId the first 8 hex digits of SHA-256 of the raw key.
    auto sealed = std::string(redis().command({"HGET", redis::keys::webhook(user_), "secret"})->str);
    EXPECT_TRUE(std::regex_match(sealed, std::regex(R"(v1\.[0-9a-f]{8}\.[A-Za-z0-9+/]+=*)"))) << sealed;
    // Not in the other answers or the metrics either.
    auto get = call("GET", hook, writer_).body + call("PATCH", hook, writer_, R"({"name":"x"})").body +
               http_get(gw_->port(), "/metrics").body;
    EXPECT_EQ(get.find(given2), std::string::npos);
}

TEST_F(webhook_api, a_sealed_secret_copied_to_another_user_does_not_open) {
    start();
    create();
    auto other = unique("u");
    auto other_key = new_key(other, {.scopes = "webhook:write"});
    ASSERT_EQ(call("POST", hook, other_key, R"({"url":"https://b.example.com/"})").status(), 201);
    auto mine = std::string(redis().command({"HGET", redis::keys::webhook(user_), "secret"})->str);
    redis().command({"HSET", redis::keys::webhook(other), "secret", mine});
    EXPECT_TRUE(is_error(call("GET", "/api/v1/users/me/webhook/secret", other_key), 500, "INTERNAL_ERROR"));
    EXPECT_EQ(call("GET", "/api/v1/users/me/webhook/secret", writer_).status(), 200);
}

TEST_F(webhook_api, key_rotation_opens_old_secrets_and_seals_new_ones_with_the_new_key) {
    start();
    auto secret = create()["secret"].get<std::string>();
    auto sealed_a = std::string(redis().command({"HGET", redis::keys::webhook(user_), "secret"})->str);
    gw_->terminate();
    gw_->proc().wait_until(in(10s));

    // A new first line: it seals from now on, and the old key still opens.
    write_keys({key_b, key_a});
    start();
    auto r = call("GET", "/api/v1/users/me/webhook/secret", writer_);
    ASSERT_EQ(r.status(), 200) << r.dump();
    EXPECT_EQ(data_of(r)["secret"], secret);
    auto fresh = data_of(call("POST", "/api/v1/users/me/webhook/secret/regenerate", writer_))["secret"];
    auto sealed_b = std::string(redis().command({"HGET", redis::keys::webhook(user_), "secret"})->str);
    EXPECT_NE(sealed_a.substr(0, 12), sealed_b.substr(0, 12)) << "sealed under another key id";
    gw_->terminate();
    gw_->proc().wait_until(in(10s));

    // Without the new key, the new secret cannot be read: a 500, never another secret.
    write_keys({key_a});
    start();
    EXPECT_TRUE(is_error(call("GET", "/api/v1/users/me/webhook/secret", writer_), 500, "INTERNAL_ERROR"));
    EXPECT_EQ(call("GET", hook, writer_).status(), 200) << "the rest of the webhook still reads";
    (void)fresh;
}

// ---- Redis away, draining ---------------------------------------------------------------------------

class webhook_api_outage : public webhook_api {
protected:
    webhook_api_outage() { persistent_redis_ = true; }
};

TEST_F(webhook_api_outage, redis_outage_is_503_with_retry_after) {
    start();
    create();
    redis_server_->stop();
    for (auto const& [method, path, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"GET", hook, ""}, {"PATCH", hook, R"({"name":"n"})"}, {"POST", "/api/v1/users/me/webhook/secret/regenerate", ""}}) {
        auto r = call(method, path, writer_, body);
        EXPECT_TRUE(is_error(r, 503, "SERVICE_UNAVAILABLE")) << method << " " << path;
        EXPECT_TRUE(has_retry_after(r.head)) << r.dump();
    }
    redis_server_->restart();
    ASSERT_TRUE(gw_->wait_readyz(200, in(15s)));
    EXPECT_EQ(call("GET", hook, writer_).status(), 200);
}

} // namespace
} // namespace ssegw::it

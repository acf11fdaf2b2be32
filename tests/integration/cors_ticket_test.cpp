// Browser-facing features (docs/API.md): CORS with --cors-origin, and single-use stream tickets.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

#include <nlohmann/json.hpp>

#include <future>
#include <map>
#include <thread>

namespace ssegw::it {
namespace {

class browser : public gateway_test {
protected:
    void seed() {
        user_ = unique("u");
        dev_ = unique("d");
        key_ = new_user(user_, {dev_});
    }
    // POST /api/v1/stream-tickets; returns the ticket ("" on failure, with a test failure recorded).
    std::string ticket(std::uint16_t port, std::string const& body = {}, int expires_in = 60) {
        header_list h = bearer(key_);
        if (!body.empty()) h.emplace_back("Content-Type", "application/json");
        auto r = send_request(port, http_request{"POST", "/api/v1/stream-tickets", h, body});
        EXPECT_EQ(r.status(), 201) << r.dump();
        EXPECT_EQ(r.header("Cache-Control"), "no-store") << r.dump();
        EXPECT_NE(r.header("Content-Type").value_or("").find("application/json"), std::string::npos) << r.dump();
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("ticket") || !j["ticket"].is_string()) {
            ADD_FAILURE() << "no ticket in " << r.dump();
            return {};
        }
        EXPECT_EQ(j.value("expiresIn", 0), expires_in) << r.body;
        return j["ticket"].get<std::string>();
    }
    std::string user_, dev_, key_;
};

TEST_F(browser, cors_preflight_and_stream_headers_for_an_allowed_origin) {
    auto& gw = start_gateway({"--cors-origin", "https://app.example"});
    seed();
    auto pre = send_request(gw.port(), http_request{"OPTIONS", device_path(dev_),
                                                    {{"Origin", "https://app.example"},
                                                     {"Access-Control-Request-Method", "GET"},
                                                     {"Access-Control-Request-Headers", "authorization,last-event-id"}},
                                                    {}});
    EXPECT_TRUE(pre.status() == 204 || pre.status() == 200) << pre.dump();
    EXPECT_EQ(pre.header("Access-Control-Allow-Origin"), "https://app.example") << pre.dump();
    auto methods = ascii_lower(pre.header("Access-Control-Allow-Methods").value_or(""));
    EXPECT_NE(methods.find("get"), std::string::npos) << pre.dump();
    auto allowed = ascii_lower(pre.header("Access-Control-Allow-Headers").value_or(""));
    EXPECT_NE(allowed.find("authorization"), std::string::npos) << pre.dump();
    EXPECT_NE(allowed.find("last-event-id"), std::string::npos) << pre.dump();

    header_list h = bearer(key_);
    h.emplace_back("Origin", "https://app.example");
    auto s = open_stream(gw.port(), device_path(dev_), h);
    EXPECT_EQ(s->header("Access-Control-Allow-Origin"), "https://app.example") << s->describe();

    header_list other = bearer(key_);
    other.emplace_back("Origin", "https://evil.example");
    auto s2 = open_stream(gw.port(), all_path(), other);
    auto acao = s2->header("Access-Control-Allow-Origin");
    EXPECT_TRUE(!acao || *acao != "https://evil.example") << s2->describe();
}

TEST_F(browser, ticket_opens_one_stream_once) {
    auto& gw = start_gateway();
    seed();
    auto t = ticket(gw.port());
    ASSERT_FALSE(t.empty());
    EXPECT_EQ(gw.log().find(t), std::string::npos) << "the ticket appears in the logs";
    auto s = open_stream(gw.port(), device_path(dev_) + "?ticket=" + t, {});
    auto ids = pub().publish(user_, dev_, result_json(dev_, 1));
    EXPECT_EQ(next_event(*s).id, ids.device_id);
    auto again = http_get(gw.port(), device_path(dev_) + "?ticket=" + t);
    EXPECT_TRUE(is_error(again, 401, "UNAUTHORIZED")) << "a ticket was accepted twice";
}

TEST_F(browser, ticket_for_a_device_is_only_for_that_device) {
    auto& gw = start_gateway();
    seed();
    auto dev2 = unique("d2");
    add_device(redis(), user_, dev2);
    auto t = ticket(gw.port(), R"({"deviceId":")" + dev_ + "\"}");
    ASSERT_FALSE(t.empty());
    auto r = http_get(gw.port(), device_path(dev2) + "?ticket=" + t);
    EXPECT_NE(r.status(), 200) << r.dump();
    EXPECT_TRUE(is_error(r, 403, "FORBIDDEN")) << r.dump();
    auto t_all = ticket(gw.port(), R"({"deviceId":")" + dev_ + "\"}");
    EXPECT_TRUE(is_error(http_get(gw.port(), all_path() + "?ticket=" + t_all), 403, "FORBIDDEN"));
    auto t2 = ticket(gw.port(), R"({"deviceId":")" + dev_ + "\"}");
    auto s = open_stream(gw.port(), device_path(dev_) + "?ticket=" + t2, {});
    EXPECT_TRUE(has_stream_headers(s->head()));
    auto ids = pub().publish(user_, dev_, result_json(dev_, 1));
    EXPECT_EQ(next_event(*s).id, ids.device_id);
}

TEST_F(browser, ticket_dies_with_its_key) {
    auto& gw = start_gateway();
    seed();
    auto t = ticket(gw.port());
    ASSERT_FALSE(t.empty());
    redis().command({"HSET", "apikey:" + key_hash(key_), "revoked", "1"});
    publish_raw(redis(), "apikey:revoked", key_hash(key_));
    auto r = http_get(gw.port(), device_path(dev_) + "?ticket=" + t);
    EXPECT_TRUE(is_error(r, 401, "UNAUTHORIZED"));
}

TEST_F(browser, bad_ticket_is_401) {
    auto& gw = start_gateway();
    seed();
    EXPECT_TRUE(is_error(http_get(gw.port(), device_path(dev_) + "?ticket=nope"), 401, "UNAUTHORIZED"));
    // Well-formed but never issued; and EventSource's Accept does not turn the 401 into a 200.
    std::string unknown(64, 'a');
    EXPECT_TRUE(is_error(http_get(gw.port(), all_path() + "?ticket=" + unknown), 401, "UNAUTHORIZED"));
    auto es = http_get(gw.port(), all_path() + "?ticket=" + unknown, {{"Accept", "text/event-stream"}});
    EXPECT_TRUE(is_error(es, 401, "UNAUTHORIZED")) << es.dump();
}

TEST_F(browser, ticket_is_single_use_even_when_two_requests_race) {
    auto& gw = start_gateway();
    seed();
    for (int round = 0; round < 3; ++round) {
        auto t = ticket(gw.port());
        ASSERT_FALSE(t.empty());
        auto use = [&] { return send_request(gw.port(), http_request{"GET", all_path() + "?ticket=" + t, {}, {}}, in(1500ms)); };
        auto a = std::async(std::launch::async, use);
        auto b = std::async(std::launch::async, use);
        auto ra = a.get(), rb = b.get();
        int ok = (ra.status() == 200) + (rb.status() == 200);
        int refused = static_cast<bool>(is_error(ra, 401, "UNAUTHORIZED")) +
                      static_cast<bool>(is_error(rb, 401, "UNAUTHORIZED"));
        EXPECT_EQ(ok, 1) << ra.dump() << "\n----\n" << rb.dump();
        EXPECT_EQ(refused, 1) << ra.dump() << "\n----\n" << rb.dump();
    }
}

TEST_F(browser, ticket_expires_after_ticket_ttl) {
    auto& gw = start_gateway({"--ticket-ttl", "1"});
    seed();
    auto t = ticket(gw.port(), {}, 1);
    ASSERT_FALSE(t.empty());
    auto pttl = redis().command({"PTTL", "ticket:" + key_hash(t)});
    EXPECT_GT(pttl->integer, 0);
    EXPECT_LE(pttl->integer, 1000);
    std::this_thread::sleep_for(1500ms);
    EXPECT_TRUE(is_error(http_get(gw.port(), device_path(dev_) + "?ticket=" + t), 401, "UNAUTHORIZED"));
    // A fresh one within its second works.
    auto t2 = ticket(gw.port(), {}, 1);
    auto s = open_stream(gw.port(), device_path(dev_) + "?ticket=" + t2, {});
    EXPECT_TRUE(has_stream_headers(s->head()));
}

TEST_F(browser, ticket_stored_only_hashed_with_its_key_user_and_device) {
    auto& gw = start_gateway();
    seed();
    auto t = ticket(gw.port(), R"({"deviceId":")" + dev_ + "\"}");
    ASSERT_FALSE(t.empty());
    auto keys = redis().command({"KEYS", "ticket:*"});
    ASSERT_EQ(keys->type, REDIS_REPLY_ARRAY);
    ASSERT_EQ(keys->elements, 1u);
    std::string name(keys->element[0]->str, keys->element[0]->len);
    EXPECT_EQ(name, "ticket:" + key_hash(t));  // sha256-hex, like apikey:
    EXPECT_EQ(name.find(t), std::string::npos);
    auto h = redis().command({"HGETALL", name});
    std::map<std::string, std::string> f;
    for (std::size_t i = 0; i + 1 < h->elements; i += 2)
        f[std::string(h->element[i]->str, h->element[i]->len)] = std::string(h->element[i + 1]->str, h->element[i + 1]->len);
    EXPECT_EQ(f["keyHash"], key_hash(key_));
    EXPECT_EQ(f["userId"], user_);
    EXPECT_EQ(f["deviceId"], dev_);
    EXPECT_FALSE(f["scopes"].empty());
    for (auto const& [k, v] : f) {
        EXPECT_EQ(v.find(t), std::string::npos) << k;
        EXPECT_EQ(v.find(key_), std::string::npos) << k;
    }
    auto ttl = redis().command({"TTL", name});
    EXPECT_GT(ttl->integer, 0);
    EXPECT_LE(ttl->integer, 60);
    // Used: gone from Redis.
    auto s = open_stream(gw.port(), device_path(dev_) + "?ticket=" + t, {});
    EXPECT_EQ(redis().command({"EXISTS", name})->integer, 0);
}

TEST_F(browser, ticket_post_needs_a_bearer_key) {
    auto& gw = start_gateway();
    seed();
    auto post = [&](header_list h, std::string target = "/api/v1/stream-tickets") {
        return send_request(gw.port(), http_request{"POST", std::move(target), std::move(h), {}});
    };
    auto none = post({});
    EXPECT_TRUE(is_error(none, 401, "UNAUTHORIZED")) << none.dump();
    EXPECT_TRUE(none.header("WWW-Authenticate")) << none.dump();
    EXPECT_TRUE(is_error(post(bearer(random_key())), 401, "UNAUTHORIZED"));
    EXPECT_TRUE(is_error(post({{"Authorization", "Basic " + key_}}), 401, "UNAUTHORIZED"));
    // Not in the URL: that is what tickets are for.
    EXPECT_TRUE(is_error(post({}, "/api/v1/stream-tickets?access_token=" + key_), 401, "UNAUTHORIZED"));
    auto revoked = new_key(user_, key_spec{.revoked = true});
    EXPECT_TRUE(is_error(post(bearer(revoked)), 401, "UNAUTHORIZED"));
    auto expired = new_key(user_, key_spec{.expires_at = 1000});
    EXPECT_TRUE(is_error(post(bearer(expired)), 401, "UNAUTHORIZED"));
    auto no_scope = new_key(user_, key_spec{.scopes = "billing:read"});
    EXPECT_TRUE(is_error(post(bearer(no_scope)), 403, "FORBIDDEN"));
    auto get = send_request(gw.port(), http_request{"GET", "/api/v1/stream-tickets", bearer(key_), {}});
    EXPECT_EQ(get.status(), 405) << get.dump();
    EXPECT_NE(get.header("Allow").value_or("").find("POST"), std::string::npos) << get.dump();
}

TEST_F(browser, ticket_for_someone_elses_or_no_device_is_404) {
    auto& gw = start_gateway();
    seed();
    auto other_dev = unique("od");
    new_user(unique("other"), {other_dev});
    header_list h = bearer(key_);
    h.emplace_back("Content-Type", "application/json");
    auto post = [&](std::string body, header_list hh) {
        return send_request(gw.port(), http_request{"POST", "/api/v1/stream-tickets", std::move(hh), std::move(body)});
    };
    EXPECT_TRUE(is_error(post(R"({"deviceId":")" + other_dev + "\"}", h), 404, "NOT_FOUND"));
    EXPECT_TRUE(is_error(post(R"({"deviceId":"no-such-device"})", h), 404, "NOT_FOUND"));
    EXPECT_TRUE(is_error(post(R"({"deviceId":42})", h), 400, "BAD_REQUEST"));
    EXPECT_TRUE(is_error(post("{" + std::string(1100, ' ') + "}", h), 400, "BAD_REQUEST"));
    EXPECT_TRUE(is_error(post(R"({"deviceId":")" + dev_ + "\"}", {{"Authorization", "Bearer " + key_},
                                                                   {"Content-Type", "text/plain"}}),
                         400, "BAD_REQUEST"));
    EXPECT_EQ(redis().command({"KEYS", "ticket:*"})->elements, 0u);
}

TEST_F(browser, ticket_post_preflight_and_cors_for_an_allowed_origin) {
    auto& gw = start_gateway({"--cors-origin", "https://app.example"});
    seed();
    auto pre = send_request(gw.port(), http_request{"OPTIONS", "/api/v1/stream-tickets",
                                                    {{"Origin", "https://app.example"},
                                                     {"Access-Control-Request-Method", "POST"},
                                                     {"Access-Control-Request-Headers", "authorization,content-type"}},
                                                    {}});
    EXPECT_TRUE(pre.status() == 204 || pre.status() == 200) << pre.dump();
    EXPECT_EQ(pre.header("Access-Control-Allow-Origin"), "https://app.example") << pre.dump();
    EXPECT_NE(ascii_lower(pre.header("Access-Control-Allow-Methods").value_or("")).find("post"), std::string::npos)
        << pre.dump();
    auto allowed = ascii_lower(pre.header("Access-Control-Allow-Headers").value_or(""));
    EXPECT_NE(allowed.find("authorization"), std::string::npos) << pre.dump();
    EXPECT_NE(allowed.find("content-type"), std::string::npos) << pre.dump();

    header_list h = bearer(key_);
    h.emplace_back("Origin", "https://app.example");
    auto r = send_request(gw.port(), http_request{"POST", "/api/v1/stream-tickets", h, {}});
    EXPECT_EQ(r.status(), 201) << r.dump();
    EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "https://app.example") << r.dump();
    header_list evil = bearer(key_);
    evil.emplace_back("Origin", "https://evil.example");
    auto r2 = send_request(gw.port(), http_request{"POST", "/api/v1/stream-tickets", evil, {}});
    auto acao = r2.header("Access-Control-Allow-Origin");
    EXPECT_TRUE(!acao || *acao != "https://evil.example") << r2.dump();
}

TEST_F(browser, ticket_streams_count_against_the_cap_and_end_with_their_key) {
    auto& gw = start_gateway({"--max-conns-per-user", "1", "--log-level", "debug"});
    seed();
    auto t = ticket(gw.port());
    auto s = open_stream(gw.port(), all_path() + "?ticket=" + t, {});
    auto before = scrape(gw.port(), "sse_gateway_connections_rejected_total{reason=\"too_many\"}").value_or(-1);
    auto t2 = ticket(gw.port());
    EXPECT_TRUE(is_error(http_get(gw.port(), device_path(dev_) + "?ticket=" + t2), 429, "TOO_MANY_CONNECTIONS"));
    EXPECT_EQ(scrape(gw.port(), "sse_gateway_connections_rejected_total{reason=\"too_many\"}"), before + 1);
    // A ticket-opened stream carries its key: revoking the key ends it.
    ASSERT_GE(publish_raw(redis(), "apikey:revoked", key_hash(key_)), 1);
    EXPECT_TRUE(s->wait_end(in(1500ms))) << s->describe();
    for (auto const& tk : {t, t2}) EXPECT_EQ(gw.log().find(tk), std::string::npos) << "a ticket is in the log";
    EXPECT_EQ(gw.log().find(key_), std::string::npos) << "the key is in the log";
}

} // namespace
} // namespace ssegw::it

// sse-webhookd end to end: the real worker process, a real redis-server, and real receivers (plain,
// and HTTPS with a CA made by openssl) on 127.0.0.1. Events are published with the publish script
// and webhooks written by the management API's create script, as the gateway writes them. Each
// signature is verified three ways: recomputed here, by the npm standardwebhooks package, and by the
// platform's original Node verifier on the received body.
#include "common/redis/keys.hpp"
#include "tests/integration/webhookd_fixture.hpp"
#include "tests/support/certs.hpp"
#include "tests/support/http_client.hpp"
#include "webhooks/events/publish_event_script.hpp"
#include "webhooks/signing/signature.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

namespace ssegw::it {
namespace {

namespace keys = redis::keys;
namespace wh = webhooks;
using strings = std::vector<std::string>;

class webhookd_delivery : public webhookd_fixture {
protected:
    void update_webhook(std::string const& user, wh::webhook_changes const& c) {
        auto r = redis().command(wh::scripts::update(user, wh::writes_of(c), c.enabled));
        EXPECT_EQ(r->type, REDIS_REPLY_ARRAY);
    }

    /// Publishes an event; returns its id.
    std::string publish(std::string const& user, std::string data = R"({"severity":"warning"})",
                        std::string const& type = "alert_triggered", std::string time_ms = "") {
        auto id = ids::make_uuid7();
        auto out = wh::publish_event(redis(), {id, type, user, "cam-1", "", std::move(time_ms), std::move(data)}, 1000000);
        EXPECT_EQ(out.status, wh::publish_status::added) << out.error;
        return id;
    }

    /// Every attempt record of `user`, by creation, a delivery's attempts in their order.
    std::vector<std::map<std::string, std::string>> records(std::string const& user) {
        std::vector<std::map<std::string, std::string>> out;
        auto ids = redis().command({"ZRANGE", keys::webhook_index(user, "*", "*", "*"), "0", "-1"});
        for (std::size_t i = 0; i < ids->elements; ++i) {
            auto h = redis().command({"HGETALL", keys::webhook_attempt(std::string(ids->element[i]->str, ids->element[i]->len))});
            std::map<std::string, std::string> m;
            for (std::size_t j = 0; j + 1 < h->elements; j += 2)
                m[std::string(h->element[j]->str, h->element[j]->len)] = std::string(h->element[j + 1]->str, h->element[j + 1]->len);
            out.push_back(std::move(m));
        }
        // Created in the same millisecond ties in the index; the attempt number orders a delivery's.
        std::stable_sort(out.begin(), out.end(), [](auto const& a, auto const& b) {
            return std::stoi(a.at("attemptNumber")) < std::stoi(b.at("attemptNumber"));
        });
        return out;
    }

    /// Waits until `user` has `n` records, none pending.
    bool wait_settled(std::string const& user, std::size_t n, deadline d = in(10s)) {
        return poll_until(d, [&] {
            auto r = records(user);
            if (r.size() != n) return false;
            for (auto const& m : r)
                if (m.at("status") == "pending") return false;
            return true;
        });
    }

    std::string hash_field(std::string const& key, std::string const& field) {
        auto r = redis().command({"HGET", key, field});
        return r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : std::string();
    }

    /// The recomputed signatures of a received request match its headers.
    static void expect_signed(received_request const& r) {
        auto ts = std::stoll(header(r, "X-SaaS-Timestamp"));
        EXPECT_EQ(header(r, "X-SaaS-Signature"), wh::saas_signature(secret, ts, r.body));
        EXPECT_EQ(header(r, "webhook-signature"), wh::standard_signature(secret, header(r, "webhook-id"), ts, r.body));
        EXPECT_EQ(header(r, "webhook-timestamp"), header(r, "X-SaaS-Timestamp"));
    }

    /// The npm standardwebhooks package and the platform's original verifier, in Node, on the bytes received.
    void expect_verified_by_node(std::vector<received_request> const& got) {
        nlohmann::json in{{"secret", secret}, {"requests", nlohmann::json::array()}};
        for (auto const& r : got) {
            nlohmann::json h = nlohmann::json::object();
            for (auto const& [k, v] : r.headers) h[k] = v;
            in["requests"].push_back({{"headers", h}, {"body", r.body}});
        }
        auto file = dir_->file("received.json");
        std::ofstream(file) << in.dump();
        auto res = run(dir_->path(), std::string(SSEGW_SOURCE_DIR) + "/tests/verifiers/run", {"--verify", file.string()},
                       {}, 60s);
        EXPECT_EQ(res.exit_code(), 0) << res.out << res.err;
        EXPECT_NE(res.out.find("request 0: ok"), std::string::npos) << res.out;
    }

    std::string metrics_of(webhookd const& w) { return http_get(w.port(), "/metrics", {}, in(2s)).body; }

};

TEST_F(webhookd_delivery, sends_the_exact_request_signed_and_verified_three_ways) {
    webhook_receiver rx;
    auto user = unique("u");
    create_webhook(user, rx.url("/in?token=secret-token"));
    auto& w = start();
    auto plain = publish(user, R"j({"severity":"warning","message":"排隊人數 (15) 超過閾值 (10)","n":1.50,"1":true})j",
                         "alert_triggered", "1769682600000");
    auto other = publish(user, R"({"deviceId":"cam-1"})", "device_offline");
    ASSERT_TRUE(rx.wait_requests(2, in(10s)));
    auto got = rx.requests();
    ASSERT_EQ(got.size(), 2u);
    std::map<std::string, received_request> by_id;
    for (auto const& r : got) by_id[header(r, "webhook-id")] = r;
    ASSERT_EQ(by_id.count(plain), 1u);
    auto const& r = by_id[plain];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/in?token=secret-token");
    EXPECT_EQ(r.body, R"({"id":")" + plain +
                          R"j(","type":"alert_triggered","timestamp":"2026-01-29T10:30:00.000Z","data":{"1":true,"severity":"warning","message":"排隊人數 (15) 超過閾值 (10)","n":1.5}})j");
    strings names;
    for (auto const& [k, v] : r.headers) names.push_back(k);
    EXPECT_EQ(names, (strings{"Host", "User-Agent", "Content-Type", "X-SaaS-Event", "X-SaaS-Delivery-Id", "X-SaaS-Timestamp",
                              "X-SaaS-Signature", "webhook-id", "webhook-timestamp", "webhook-signature", "Content-Length",
                              "Connection"}));
    EXPECT_EQ(header(r, "Host"), "127.0.0.1:" + std::to_string(rx.port()));
    EXPECT_EQ(header(r, "User-Agent"), "sse-webhooks/1");
    EXPECT_EQ(header(r, "Content-Type"), "application/json");
    EXPECT_EQ(header(r, "X-SaaS-Event"), "alert_triggered");
    EXPECT_EQ(header(r, "Content-Length"), std::to_string(r.body.size()));
    auto ts = std::stoll(header(r, "X-SaaS-Timestamp"));
    EXPECT_NEAR(static_cast<double>(ts), static_cast<double>(std::time(nullptr)), 5.0) << "the attempt's time, not the event's";
    EXPECT_EQ(header(by_id[other], "X-SaaS-Event"), "device_offline");
    for (auto const& x : got) expect_signed(x);
    expect_verified_by_node(got);

    ASSERT_TRUE(wait_settled(user, 2));
    for (auto const& m : records(user)) {
        EXPECT_EQ(m.at("status"), "success");
        EXPECT_EQ(m.at("httpStatusCode"), "200");
        EXPECT_EQ(m.count("errorMessage"), 0u);
    }
    EXPECT_EQ(hash_field(keys::webhook_delivery(header(r, "X-SaaS-Delivery-Id")), "payload"), r.body);
    auto log = w.log();
    EXPECT_EQ(log.find("secret-token"), std::string::npos) << "no URL path or query in the log";
    EXPECT_EQ(log.find(header(r, "X-SaaS-Signature")), std::string::npos);
    EXPECT_EQ(log.find("排隊"), std::string::npos) << "no payload in the log";
    EXPECT_NE(log.find(R"("origin":"http://127.0.0.1:)" + std::to_string(rx.port()) + "\""), std::string::npos);
    auto m = metrics_of(w);
    EXPECT_NE(m.find("sse_webhook_attempts_total{result=\"success\"} 2"), std::string::npos) << m;
    EXPECT_NE(m.find("sse_webhook_deliveries_total{result=\"succeeded\"} 2"), std::string::npos) << m;
    EXPECT_NE(m.find("sse_webhook_events_planned_total 2"), std::string::npos) << m;
}

TEST_F(webhookd_delivery, over_https_with_a_ca_made_by_openssl_and_refusing_a_wrong_host) {
    ASSERT_FALSE(openssl_bin().empty()) << "openssl is not installed: run scripts/install-deps";
    make_ca(dir_->path(), "ca");
    make_server_cert(dir_->path(), "ca", "good", "7001", dir_->file("good.pem"), dir_->file("good.key"));
    make_server_cert(dir_->path(), "ca", "other", "7002", dir_->file("other.pem"), dir_->file("other.key"),
                     {"DNS:other.example", 2});
    webhook_receiver good({{dir_->file("good.pem").string(), dir_->file("good.key").string()}});
    webhook_receiver wrong({{dir_->file("other.pem").string(), dir_->file("other.key").string()}});
    auto a = unique("a"), b = unique("b");
    create_webhook(a, good.url());
    wh::webhook_changes once;
    once.max_retries = 0;
    create_webhook(b, wrong.url(), once);
    start({"--webhook-ca-file", dir_->file("ca.pem").string()});
    publish(a);
    publish(b);
    ASSERT_TRUE(good.wait_requests(1, in(10s)));
    expect_signed(good.requests()[0]);
    expect_verified_by_node(good.requests());
    ASSERT_TRUE(wait_settled(b, 1));
    auto rec = records(b)[0];
    EXPECT_EQ(rec.at("status"), "failed");
    EXPECT_EQ(rec.at("errorMessage").rfind("tls: ", 0), 0u) << rec.at("errorMessage");
    EXPECT_EQ(wrong.requests().size(), 0u);
}

TEST_F(webhookd_delivery, retries_500_500_200_with_the_same_id_and_body_and_fresh_timestamps) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_status(500).with_body("boom"));
    auto user = unique("u");
    create_webhook(user, rx.url());
    auto& w = start();
    auto id = publish(user);
    ASSERT_TRUE(rx.wait_requests(2, in(10s)));
    rx.reply_with(receiver_reply{});
    ASSERT_TRUE(rx.wait_requests(3, in(10s)));
    ASSERT_TRUE(wait_settled(user, 3));
    auto got = rx.requests();
    ASSERT_EQ(got.size(), 3u);
    for (auto const& r : got) {
        EXPECT_EQ(header(r, "webhook-id"), id);
        EXPECT_EQ(header(r, "X-SaaS-Delivery-Id"), header(got[0], "X-SaaS-Delivery-Id"));
        EXPECT_EQ(r.body, got[0].body);
        expect_signed(r);
    }
    EXPECT_LT(std::stoll(header(got[0], "X-SaaS-Timestamp")), std::stoll(header(got[1], "X-SaaS-Timestamp")));
    EXPECT_LT(std::stoll(header(got[1], "X-SaaS-Timestamp")), std::stoll(header(got[2], "X-SaaS-Timestamp")));
    auto recs = records(user);
    strings statuses, numbers;
    for (auto const& m : recs) {
        statuses.push_back(m.at("status"));
        numbers.push_back(m.at("attemptNumber"));
    }
    EXPECT_EQ(statuses, (strings{"failed", "failed", "success"}));
    EXPECT_EQ(numbers, (strings{"1", "2", "3"}));
    EXPECT_EQ(recs[0].at("errorMessage"), "http_status: HTTP 500");
    EXPECT_EQ(recs[0].at("responseBody"), "boom");
    auto m = metrics_of(w);
    EXPECT_NE(m.find("sse_webhook_retries_scheduled_total 2"), std::string::npos) << m;
    EXPECT_NE(m.find("sse_webhook_attempts_total{result=\"http_status\"} 2"), std::string::npos) << m;
    EXPECT_EQ(hash_field(keys::webhook(user), "failCount"), "0");
}

TEST_F(webhookd_delivery, max_retries_0_retry_after_and_a_redirect_not_followed) {
    webhook_receiver once_rx, later_rx, redirect_rx, target_rx;
    once_rx.reply_with(receiver_reply{}.with_status(503));
    later_rx.reply_with(receiver_reply{}.with_status(429).with_header("Retry-After", "3"));
    redirect_rx.reply_with(receiver_reply{}.with_status(302).with_header("Location", target_rx.url()));
    wh::webhook_changes none, one;
    none.max_retries = 0;
    one.max_retries = 1;
    auto u1 = unique("once"), u2 = unique("later"), u3 = unique("redirect");
    create_webhook(u1, once_rx.url(), none);
    create_webhook(u2, later_rx.url(), one);
    create_webhook(u3, redirect_rx.url(), none);
    start();
    publish(u1);
    publish(u2);
    publish(u3);
    ASSERT_TRUE(later_rx.wait_requests(1, in(10s)));
    auto first = clock::now();
    ASSERT_TRUE(later_rx.wait_requests(2, in(10s)));
    EXPECT_GE(clock::now() - first, 2800ms) << "Retry-After: 3 beats the 1 s schedule";
    ASSERT_TRUE(wait_settled(u1, 1));
    ASSERT_TRUE(wait_settled(u2, 2));
    ASSERT_TRUE(wait_settled(u3, 1));
    EXPECT_EQ(once_rx.requests().size(), 1u) << "maxRetries 0: one attempt";
    auto r1 = records(u1)[0];
    EXPECT_EQ(r1.at("isFinalAttempt"), "1");
    EXPECT_EQ(r1.at("maxAttempts"), "1");
    auto r3 = records(u3)[0];
    EXPECT_EQ(r3.at("httpStatusCode"), "302");
    EXPECT_EQ(r3.at("errorMessage"), "http_status: HTTP 302");
    EXPECT_EQ(target_rx.requests().size(), 0u) << "redirects are never followed";
}

TEST_F(webhookd_delivery, a_manual_retry_through_the_api_resends_the_same_event_and_body) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_status(500).with_body("down"));
    wh::webhook_changes none;
    none.max_retries = 0;
    auto user = unique("manual");
    create_webhook(user, rx.url(), none);
    auto key = new_key(user, {.scopes = "webhook:write"});
    start();
    auto& gw = start_gateway({"--webhook-secret-key-file", key_file_});
    publish(user);
    ASSERT_TRUE(wait_settled(user, 1));
    auto failed = records(user)[0];
    EXPECT_EQ(failed.at("status"), "failed");

    rx.reply_with(receiver_reply{});
    http_request req{"POST", "/api/v1/users/me/webhook/deliveries/" + failed.at("id") + "/retry", {}, {}};
    req.headers.emplace_back("Authorization", "Bearer " + key);
    auto r = send_request(gw.port(), req);
    ASSERT_EQ(r.status(), 202) << r.dump();
    ASSERT_TRUE(wait_settled(user, 2));
    auto got = rx.requests();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(header(got[1], "webhook-id"), header(got[0], "webhook-id"));
    EXPECT_EQ(header(got[1], "X-SaaS-Delivery-Id"), header(got[0], "X-SaaS-Delivery-Id"));
    EXPECT_EQ(got[1].body, got[0].body) << "the same body bytes";
    expect_signed(got[1]);
    auto manual = records(user)[1];
    EXPECT_EQ(manual.at("trigger"), "manual");
    EXPECT_EQ(manual.at("status"), "success");
    EXPECT_EQ(manual.at("deliveryId"), failed.at("deliveryId"));
    EXPECT_EQ(manual.at("attemptNumber"), "2");
    EXPECT_EQ(hash_field(keys::webhook(user), "failCount"), "0") << "its success counts for the webhook";
}

TEST_F(webhookd_delivery, timeout_trickled_head_and_huge_response_end_as_records) {
    webhook_receiver slow_rx, trickle_rx, huge_rx;
    slow_rx.reply_with(receiver_reply{}.with_delay(3000ms));
    trickle_rx.reply_with(receiver_reply{}.with_trickle(100ms));
    huge_rx.reply_with(receiver_reply{}.with_huge_body(8 << 20));
    wh::webhook_changes c;
    c.max_retries = 0;
    c.timeout_ms = 1000;
    auto u1 = unique("slow"), u2 = unique("trickle"), u3 = unique("huge");
    create_webhook(u1, slow_rx.url(), c);
    create_webhook(u2, trickle_rx.url(), c);
    create_webhook(u3, huge_rx.url(), c);
    start();
    publish(u1);
    publish(u2);
    publish(u3);
    for (auto const& u : {u1, u2, u3}) ASSERT_TRUE(wait_settled(u, 1)) << u;
    for (auto const& u : {u1, u2}) {
        auto r = records(u)[0];
        EXPECT_EQ(r.at("errorMessage"), "timeout: no response within 1000 ms") << u;
        auto ms = std::stoll(r.at("responseTimeMs"));
        EXPECT_GE(ms, 1000);
        EXPECT_LT(ms, 1500);
    }
    auto big = records(u3)[0];
    EXPECT_EQ(big.at("status"), "success");
    EXPECT_EQ(big.at("responseBody"), std::string(4096, 'x'));
}

TEST_F(webhookd_delivery, refused_addresses_are_blocked_before_any_connection) {
    webhook_receiver rx;
    wh::webhook_changes c;
    c.max_retries = 0;
    auto port = std::to_string(rx.port());
    // Written past the API's own URL check, as if DNS had changed since: the worker checks again.
    std::map<std::string, std::string> urls{{unique("loopback"), "http://127.0.0.1:" + port + "/"},
                                            {unique("name"), "http://localhost:" + port + "/"},
                                            {unique("mapped"), "http://[::ffff:127.0.0.1]:" + port + "/"},
                                            {unique("v6loop"), "http://[::1]:" + port + "/"},
                                            {unique("metadata"), "http://169.254.169.254/latest"},
                                            {unique("private"), "http://10.1.2.3/"}};
    for (auto const& [user, url] : urls) create_webhook(user, url, c);
    // Without --webhook-allow-net: every refused range applies.
    start_webhookd({"--webhook-secret-key-file", key_file_, "--webhook-allow-http"});
    for (auto const& [user, url] : urls) publish(user);
    for (auto const& [user, url] : urls) {
        ASSERT_TRUE(wait_settled(user, 1)) << url;
        auto r = records(user)[0];
        EXPECT_EQ(r.at("errorMessage").rfind("blocked: ", 0), 0u) << url << ": " << r.at("errorMessage");
    }
    EXPECT_EQ(rx.connections(), 0);
}

TEST_F(webhookd_delivery, auto_disable_publishes_a_notice_and_re_enable_delivers_again) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_status(500));
    wh::webhook_changes c;
    c.max_retries = 0;
    auto user = unique("u");
    create_webhook(user, rx.url(), c);
    auto notices = redis_server_->connect();
    notices->command({"SUBSCRIBE", keys::webhook_disabled_channel});
    auto& w = start({"--disable-after-failures", "2"});
    publish(user);
    publish(user);
    ASSERT_TRUE(wait_settled(user, 2));
    ASSERT_TRUE(poll_until(in(5s), [&] { return hash_field(keys::webhook(user), "enabled") == "0"; }));
    EXPECT_EQ(hash_field(keys::webhook(user), "disabledReason"), "consecutive_failures");
    auto msg = notices->get_reply();
    ASSERT_EQ(msg->type, REDIS_REPLY_ARRAY);
    auto notice = nlohmann::json::parse(std::string(msg->element[2]->str, msg->element[2]->len));
    EXPECT_EQ(notice["userId"], user);
    EXPECT_EQ(notice["reason"], "consecutive_failures");
    EXPECT_NE(w.log().find("webhook_disabled"), std::string::npos);

    publish(user);  // dropped: disabled
    ASSERT_TRUE(poll_until(in(5s), [&] {
        return metrics_of(w).find("sse_webhook_events_dropped_total{reason=\"disabled\"} 1") != std::string::npos;
    }));
    rx.reply_with(receiver_reply{});
    wh::webhook_changes on;
    on.enabled = true;
    update_webhook(user, on);
    publish(user);
    ASSERT_TRUE(rx.wait_requests(3, in(10s)));
    ASSERT_TRUE(wait_settled(user, 3));
    EXPECT_EQ(records(user).back().at("status"), "success");
    EXPECT_NE(metrics_of(w).find("sse_webhook_webhooks_disabled_total{reason=\"consecutive_failures\"} 1"),
              std::string::npos);
}

TEST_F(webhookd_delivery, a_slow_receiver_holds_only_its_own_slots) {
    webhook_receiver slow_rx, fast_rx;
    slow_rx.reply_with(receiver_reply{}.with_delay(1500ms));
    auto slow = unique("slow"), fast = unique("fast");
    create_webhook(slow, slow_rx.url());
    create_webhook(fast, fast_rx.url());
    start({"--max-in-flight", "4", "--max-in-flight-per-webhook", "2"});
    for (int i = 0; i < 8; ++i) publish(slow);
    std::this_thread::sleep_for(200ms);
    auto t0 = clock::now();
    for (int i = 0; i < 6; ++i) publish(fast);
    ASSERT_TRUE(fast_rx.wait_requests(6, in(10s)));
    EXPECT_LT(clock::now() - t0, 1200ms) << "the fast webhook did not wait for the slow one";
    EXPECT_LE(slow_rx.connections(), 2) << "at most 2 at once to one webhook";
    ASSERT_TRUE(wait_settled(slow, 8, in(20s)));
    EXPECT_LE(slow_rx.connections(), 2);
}

TEST_F(webhookd_delivery, drain_finishes_and_records_the_attempt_in_flight) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_delay(800ms));
    auto user = unique("u");
    create_webhook(user, rx.url());
    auto& w = start();
    publish(user);
    ASSERT_TRUE(poll_until(in(5s), [&] { return rx.connections() > 0; }));
    w.terminate();
    EXPECT_TRUE(w.wait_readyz(503, in(1s)) || !w.proc().running());
    ASSERT_TRUE(poll_until(in(5s), [&] { return !w.proc().running(); }));
    EXPECT_EQ(describe_status(w.proc().status()), "exit 0");
    auto recs = records(user);
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].at("status"), "success") << "recorded before exit";
}

TEST_F(webhookd_delivery, garbage_entries_are_dropped_as_malformed_and_the_rest_delivered) {
    webhook_receiver rx;
    auto user = unique("u");
    create_webhook(user, rx.url());
    auto& w = start();
    // Another producer's mistakes, written past the publish script.
    redis().command({"XADD", keys::webhook_events, "*", "garbage", "x"});
    redis().command({"XADD", keys::webhook_events, "*", "eventId", "NOT-A-UUID", "type", "alert_triggered", "userId",
                     user, "deviceId", "", "sceneId", "", "ts", "1", "data", "{}"});
    redis().command({"XADD", keys::webhook_events, "*", "eventId", ids::make_uuid7(), "type", "alert_triggered",
                     "userId", user, "deviceId", "", "sceneId", "", "ts", "1769682600000", "data", "{\"a\":1,\"a\":2}"});
    auto good = publish(user);
    ASSERT_TRUE(rx.wait_requests(1, in(10s)));
    EXPECT_EQ(header(rx.requests()[0], "webhook-id"), good);
    ASSERT_TRUE(poll_until(in(5s), [&] {
        return metrics_of(w).find("sse_webhook_events_dropped_total{reason=\"malformed\"} 3") != std::string::npos;
    })) << metrics_of(w);
    auto pending = redis().command({"XPENDING", keys::webhook_events, keys::webhook_group});
    EXPECT_EQ(pending->element[0]->integer, 0) << "each was acknowledged";
    EXPECT_EQ(w.readyz_status(), 200);
}

} // namespace
} // namespace ssegw::it

// webhooks/delivery/sender against a real receiver in this process over real sockets on 127.0.0.1
// (docs/WEBHOOKS.md: "What your server receives", "Retries", and the refused networks of "Turning the API on"): the exact request, outcomes by status, redirects not followed, the
// one deadline (a silent or trickling receiver), the head and body limits, keep-alive reuse and its
// end, HTTPS verification with a test CA, and the SSRF guard refusing before any connection.
#include "webhooks/delivery/sender.hpp"

#include "tests/support/certs.hpp"
#include "tests/support/tcp_conn.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/webhook_receiver.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>

namespace ssegw::it {
namespace {

namespace wh = ssegw::webhooks;
using std::chrono::milliseconds;

wh::address_policy loopback_allowed() { return wh::address_policy({*wh::parse_network("127.0.0.0/8")}); }

class webhook_sender : public ::testing::Test {
protected:
    /// A sender on this test's io_context: http allowed, 127.0.0.0/8 allowed unless `policy` says otherwise.
    std::unique_ptr<wh::sender> make_sender(wh::address_policy const* policy = nullptr, bool allow_http = true,
                                            std::string ca_file = {}) {
        wh::sender_options o;
        o.addresses = policy ? policy : &loopback_;
        o.allow_http = allow_http;
        o.ca_file = std::move(ca_file);
        return std::make_unique<wh::sender>(ioc_.get_executor(), std::move(o));
    }

    static wh::attempt_request request(std::string url, milliseconds timeout = milliseconds{3000}) {
        wh::attempt_request r;
        r.url = std::move(url);
        r.body = "{\"id\":\"e1\",\"type\":\"alert_triggered\",\"data\":{\"m\":\"\xE6\x8E\x92\xE9\x9A\x8A\"}}";
        r.headers = {{"Content-Type", "application/json"}, {"X-SaaS-Event", "alert_triggered"}};
        r.timeout = timeout;
        return r;
    }

    /// Sends one attempt and runs the io_context until its result (or fails the test after `limit`).
    wh::attempt_result send(wh::sender& s, wh::attempt_request r, clock::duration limit = 10s) {
        std::optional<wh::attempt_result> out;
        s.send(std::move(r), [&](wh::attempt_result a) { out = std::move(a); });
        auto end = in(limit);
        while (!out && clock::now() < end) {
            if (ioc_.stopped()) ioc_.restart();
            if (ioc_.run_one_for(std::chrono::milliseconds(20)) == 0) std::this_thread::sleep_for(1ms);
        }
        if (!out) {
            ADD_FAILURE() << "no result within the test's limit";
            return {};
        }
        return std::move(*out);
    }

    /// Runs whatever is ready (closes, timers) without waiting for new work.
    void settle() {
        if (ioc_.stopped()) ioc_.restart();
        ioc_.poll();
    }

    net::io_context ioc_;
    wh::address_policy loopback_ = loopback_allowed();
    wh::address_policy strict_;
    temp_dir dir_;
};

TEST_F(webhook_sender, the_receiver_gets_exactly_these_headers_and_the_body_bytes) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_body("{\"received\":true}"));
    auto s = make_sender();
    auto r = request(rx.url("/in/hook?token=abc&x=%20"));
    r.headers = {{"Content-Type", "application/json"},
                 {"X-SaaS-Event", "alert_triggered"},
                 {"X-SaaS-Delivery-Id", "0190a1b2-0000-7000-8000-000000000001"},
                 {"X-SaaS-Timestamp", "1769682605"},
                 {"X-SaaS-Signature", "sha256=b7ef54e7"},
                 {"webhook-id", "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40"},
                 {"webhook-timestamp", "1769682605"},
                 {"webhook-signature", "v1,zR73vCW+tcl6ESWI2Sj1L4eyza7+QUvYdRm8aoqTEzE="}};
    auto body = r.body;
    auto res = send(*s, std::move(r));
    EXPECT_EQ(res.result, wh::outcome::success) << res.error_message;
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.response_body, "{\"received\":true}");
    EXPECT_EQ(res.error_message, "");
    EXPECT_EQ(res.retry_after, std::nullopt);
    EXPECT_GE(res.response_time_ms, 0);
    EXPECT_LT(res.response_time_ms, 2000);

    auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "POST");
    EXPECT_EQ(reqs[0].target, "/in/hook?token=abc&x=%20");
    EXPECT_EQ(reqs[0].head, "POST /in/hook?token=abc&x=%20 HTTP/1.1\r\n"
                            "Host: 127.0.0.1:" + std::to_string(rx.port()) + "\r\n"
                            "User-Agent: sse-webhooks/1\r\n"
                            "Content-Type: application/json\r\n"
                            "X-SaaS-Event: alert_triggered\r\n"
                            "X-SaaS-Delivery-Id: 0190a1b2-0000-7000-8000-000000000001\r\n"
                            "X-SaaS-Timestamp: 1769682605\r\n"
                            "X-SaaS-Signature: sha256=b7ef54e7\r\n"
                            "webhook-id: 4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40\r\n"
                            "webhook-timestamp: 1769682605\r\n"
                            "webhook-signature: v1,zR73vCW+tcl6ESWI2Sj1L4eyza7+QUvYdRm8aoqTEzE=\r\n"
                            "Content-Length: " + std::to_string(body.size()) + "\r\n"
                            "Connection: keep-alive\r\n\r\n");
    EXPECT_EQ(reqs[0].body, body);
}

TEST_F(webhook_sender, a_500_is_http_status_with_its_body_and_retry_after) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_status(500).with_header("Retry-After", "120").with_body("boom \xFF"));
    auto s = make_sender();
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::http_status);
    EXPECT_EQ(res.status, 500);
    EXPECT_EQ(res.response_body, "boom \xEF\xBF\xBD");
    EXPECT_EQ(res.error_message, "http_status: HTTP 500");
    EXPECT_EQ(res.retry_after, std::chrono::seconds{120});
}

TEST_F(webhook_sender, an_empty_2xx_body_is_an_empty_string) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_status(204));
    auto s = make_sender();
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::success) << res.error_message;
    EXPECT_EQ(res.status, 204);
    EXPECT_EQ(res.response_body, "");
}

TEST_F(webhook_sender, a_redirect_is_not_followed) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_status(302).with_header("Location", rx.url("/elsewhere")));
    auto s = make_sender();
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::http_status);
    EXPECT_EQ(res.status, 302);
    EXPECT_EQ(res.error_message, "http_status: HTTP 302");
    std::this_thread::sleep_for(200ms);
    settle();
    ASSERT_EQ(rx.requests().size(), 1u);
    EXPECT_EQ(rx.requests()[0].target, "/hook");
}

TEST_F(webhook_sender, a_receiver_that_never_answers_is_a_timeout_naming_the_ms) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.answering_never());
    auto s = make_sender();
    auto t0 = clock::now();
    auto res = send(*s, request(rx.url(), milliseconds{300}));
    auto took = clock::now() - t0;
    EXPECT_EQ(res.result, wh::outcome::timeout);
    EXPECT_EQ(res.error_message, "timeout: no response within 300 ms");
    EXPECT_EQ(res.status, std::nullopt);
    EXPECT_EQ(res.response_body, std::nullopt);
    EXPECT_GE(res.response_time_ms, 300);
    EXPECT_LT(res.response_time_ms, 1000);
    EXPECT_LT(took, 1500ms);
    EXPECT_EQ(rx.requests().size(), 1u);  // the request itself arrived
    EXPECT_EQ(s->idle_connections(), 0u);
}

TEST_F(webhook_sender, a_head_trickling_past_the_deadline_is_a_timeout) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_trickle(milliseconds{40}));  // ~40 bytes of head: 1.6 s
    auto s = make_sender();
    auto t0 = clock::now();
    auto res = send(*s, request(rx.url(), milliseconds{400}));
    EXPECT_EQ(res.result, wh::outcome::timeout) << res.error_message;
    EXPECT_EQ(res.error_message, "timeout: no response within 400 ms");
    EXPECT_LT(clock::now() - t0, 1200ms);
}

TEST_F(webhook_sender, a_delay_within_the_deadline_is_fine) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_delay(milliseconds{150}));
    auto s = make_sender();
    auto res = send(*s, request(rx.url(), milliseconds{2000}));
    EXPECT_EQ(res.result, wh::outcome::success) << res.error_message;
    EXPECT_GE(res.response_time_ms, 150);
}

TEST_F(webhook_sender, a_head_over_16_kib_is_protocol) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_header("X-Big", std::string(17 * 1024, 'a')));
    auto s = make_sender();
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::protocol);
    EXPECT_EQ(res.error_message, "protocol: response head over 16 KiB");
    EXPECT_EQ(res.status, std::nullopt);
}

TEST_F(webhook_sender, a_head_just_under_16_kib_is_read) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_header("X-Big", std::string(15 * 1024, 'a')));
    auto s = make_sender();
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::success) << res.error_message;
}

TEST_F(webhook_sender, a_10_mb_body_keeps_4096_bytes_and_returns_promptly) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_huge_body(10u * 1024 * 1024));
    auto s = make_sender();
    auto t0 = clock::now();
    auto res = send(*s, request(rx.url(), milliseconds{5000}));
    EXPECT_LT(clock::now() - t0, 1500ms);
    EXPECT_EQ(res.result, wh::outcome::success) << res.error_message;
    EXPECT_EQ(res.response_body, std::string(4096, 'x'));
    settle();
    EXPECT_EQ(s->idle_connections(), 0u);  // not read to its end: closed, not kept
}

TEST_F(webhook_sender, keep_alive_reuses_one_connection) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_body("ok"));
    auto s = make_sender();
    auto a = send(*s, request(rx.url()));
    EXPECT_EQ(a.result, wh::outcome::success) << a.error_message;
    EXPECT_EQ(s->idle_connections(), 1u);
    auto b = send(*s, request(rx.url("/second")));
    EXPECT_EQ(b.result, wh::outcome::success) << b.error_message;
    auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(rx.connections(), 1);
    EXPECT_EQ(reqs[0].connection, reqs[1].connection);
    EXPECT_EQ(reqs[1].target, "/second");
}

TEST_F(webhook_sender, connection_close_ends_reuse) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_header("Connection", "close"));
    auto s = make_sender();
    EXPECT_EQ(send(*s, request(rx.url())).result, wh::outcome::success);
    EXPECT_EQ(s->idle_connections(), 0u);
    EXPECT_EQ(send(*s, request(rx.url())).result, wh::outcome::success);
    EXPECT_EQ(rx.connections(), 2);
    EXPECT_EQ(rx.requests().size(), 2u);
}

TEST_F(webhook_sender, a_kept_connection_the_receiver_closed_is_not_a_failure) {
    // The receiver closes each connection after its response without `Connection: close` (an idle
    // timeout of zero): the kept connection is found closed before use, or fails unanswered and the
    // request goes again on a new one; either way the attempt succeeds.
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.hanging_up());
    auto s = make_sender();
    for (int i = 0; i < 3; ++i) {
        auto res = send(*s, request(rx.url()));
        EXPECT_EQ(res.result, wh::outcome::success) << i << ": " << res.error_message;
    }
    EXPECT_EQ(rx.requests().size(), 3u);
    EXPECT_EQ(rx.connections(), 3);
}

TEST_F(webhook_sender, a_kept_connection_closed_unanswered_is_replaced_once) {
    // The receiver answers one request per connection, then reads the next and closes without a
    // word (the race of a keep-alive timeout): the second attempt goes once more on a new connection.
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.with_body("ok").answering_per_connection(1));
    auto s = make_sender();
    EXPECT_EQ(send(*s, request(rx.url())).result, wh::outcome::success);
    EXPECT_EQ(s->idle_connections(), 1u);
    auto res = send(*s, request(rx.url("/second")));
    EXPECT_EQ(res.result, wh::outcome::success) << res.error_message;
    EXPECT_EQ(res.response_body, "ok");
    auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 3u);  // the unanswered one arrived too: receivers deduplicate on webhook-id
    EXPECT_EQ(reqs[1].connection, reqs[0].connection);
    EXPECT_NE(reqs[2].connection, reqs[0].connection);
    EXPECT_EQ(reqs[2].target, "/second");
    EXPECT_EQ(rx.connections(), 2);
}

TEST_F(webhook_sender, a_new_connection_closed_unanswered_is_protocol) {
    webhook_receiver rx;
    rx.reply_with(receiver_reply{}.answering_per_connection(0));
    auto s = make_sender();
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::protocol);
    EXPECT_EQ(res.error_message, "protocol: connection closed before the response head was complete");
    EXPECT_EQ(rx.requests().size(), 1u);  // not sent again: the connection was new
    EXPECT_EQ(res.response_body, std::nullopt);
}

TEST_F(webhook_sender, a_kept_connection_to_a_gone_receiver_is_dropped) {
    auto s = make_sender();
    std::string url;
    {
        webhook_receiver rx;
        url = rx.url();
        EXPECT_EQ(send(*s, request(url)).result, wh::outcome::success);
        EXPECT_EQ(s->idle_connections(), 1u);
    }  // the receiver closes its side of the idle connection and stops listening
    auto res = send(*s, request(url));  // not the stale connection: a fresh connect, refused
    EXPECT_EQ(res.result, wh::outcome::connect) << res.error_message;
    EXPECT_EQ(s->idle_connections(), 0u);
}

class webhook_sender_tls : public webhook_sender {
protected:
    void SetUp() override {
        ASSERT_FALSE(openssl_bin().empty()) << "openssl is not installed: run scripts/install-deps";
        make_ca(dir_.path(), "ca");
    }
    webhook_receiver::tls_files cert(std::string const& name, server_cert_options o = {}) {
        make_server_cert(dir_.path(), "ca", name, std::to_string(++serial_), dir_.file(name + ".pem"),
                         dir_.file(name + ".key"), o);
        return {dir_.file(name + ".pem").string(), dir_.file(name + ".key").string()};
    }
    std::string ca_file() const { return dir_.file("ca.pem").string(); }
    int serial_ = 1000;
};

TEST_F(webhook_sender_tls, https_with_the_test_ca_succeeds) {
    webhook_receiver rx(cert("good"));
    rx.reply_with(receiver_reply{}.with_status(201).with_body("created"));
    auto s = make_sender(nullptr, /*allow_http=*/false, ca_file());
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::success) << res.error_message;
    EXPECT_EQ(res.status, 201);
    EXPECT_EQ(res.response_body, "created");
    ASSERT_EQ(rx.requests().size(), 1u);
    EXPECT_EQ(rx.requests()[0].body, request("").body);
    // Keep-alive over TLS too.
    EXPECT_EQ(send(*s, request(rx.url())).result, wh::outcome::success);
    EXPECT_EQ(rx.connections(), 1);
}

TEST_F(webhook_sender_tls, an_expired_certificate_is_tls) {
    server_cert_options expired;
    expired.days = -1;  // notAfter a day before notBefore
    webhook_receiver rx(cert("expired", expired));
    auto s = make_sender(nullptr, false, ca_file());
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::tls);
    EXPECT_EQ(res.error_message, "tls: certificate verify failed: certificate has expired");
    EXPECT_EQ(rx.requests().size(), 0u);
}

TEST_F(webhook_sender_tls, a_certificate_for_another_host_is_tls) {
    server_cert_options other;
    other.san = "DNS:other.example,IP:10.1.2.3";
    webhook_receiver rx(cert("other", other));
    auto s = make_sender(nullptr, false, ca_file());
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::tls);
    EXPECT_EQ(res.error_message, "tls: certificate verify failed: IP address mismatch");
    EXPECT_EQ(rx.requests().size(), 0u);
}

TEST_F(webhook_sender_tls, a_certificate_from_an_unknown_ca_is_tls) {
    webhook_receiver rx(cert("good"));
    auto s = make_sender(nullptr, false);  // the system store does not know the test CA
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::tls);
    EXPECT_EQ(res.error_message.rfind("tls: certificate verify failed: ", 0), 0u) << res.error_message;
}

TEST_F(webhook_sender, every_refused_address_is_blocked_before_any_connection) {
    webhook_receiver rx;
    auto s = make_sender(&strict_);
    auto port = std::to_string(rx.port());
    for (std::string url : {"http://127.0.0.1:" + port + "/", "http://[::1]:" + port + "/",
                            "http://localhost:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/",
                            std::string("http://169.254.169.254/latest/meta-data/"), std::string("http://10.0.0.1/"),
                            std::string("https://10.0.0.1/"), std::string("https://[fd00:ec2::254]/")}) {
        auto t0 = clock::now();
        auto res = send(*s, request(url));
        EXPECT_EQ(res.result, wh::outcome::blocked) << url << ": " << res.error_message;
        EXPECT_EQ(res.error_message.rfind("blocked: every address of ", 0), 0u) << res.error_message;
        EXPECT_EQ(res.status, std::nullopt);
        EXPECT_LT(clock::now() - t0, 500ms) << url;
    }
    EXPECT_EQ(rx.connections(), 0);
}

TEST_F(webhook_sender, loopback_allowed_by_the_operator_reaches_the_receiver) {
    webhook_receiver rx;
    auto s = make_sender(&loopback_);
    EXPECT_EQ(send(*s, request(rx.url())).result, wh::outcome::success);
    // `localhost` resolves to 127.0.0.1 (allowed) and perhaps ::1 (refused): the allowed one is used.
    auto res = send(*s, request("http://localhost:" + std::to_string(rx.port()) + "/"));
    EXPECT_EQ(res.result, wh::outcome::success) << res.error_message;
}

TEST_F(webhook_sender, a_closed_port_is_connect) {
    auto s = make_sender();
    auto res = send(*s, request("http://127.0.0.1:" + std::to_string(pick_free_port()) + "/"));
    EXPECT_EQ(res.result, wh::outcome::connect);
    EXPECT_EQ(res.error_message.rfind("connect: Connection refused", 0), 0u) << res.error_message;
    EXPECT_EQ(res.response_body, std::nullopt);
}

TEST_F(webhook_sender, http_without_allow_http_is_blocked) {
    webhook_receiver rx;
    auto s = make_sender(&loopback_, /*allow_http=*/false);
    auto res = send(*s, request(rx.url()));
    EXPECT_EQ(res.result, wh::outcome::blocked);
    EXPECT_EQ(res.error_message, "blocked: http:// URLs are not allowed (--webhook-allow-http is off)");
    EXPECT_EQ(rx.connections(), 0);
}

TEST_F(webhook_sender, an_unknown_name_is_dns) {
    auto s = make_sender();
    auto res = send(*s, request("https://no-such-host.invalid/"));
    EXPECT_EQ(res.result, wh::outcome::dns) << res.error_message;
    EXPECT_EQ(res.error_message.rfind("dns: no address for no-such-host.invalid", 0), 0u) << res.error_message;
}

} // namespace
} // namespace ssegw::it

// webhooks/delivery/delivery_target and request_head: what an attempt takes from its URL (host,
// port, Host header, request target, pool origin) and the exact request head it writes
// (docs/WEBHOOKS.md, "What your server receives": these headers and no others; nothing given can add a line).
#include "webhooks/delivery/delivery_target.hpp"
#include "webhooks/delivery/request_head.hpp"

#include <gtest/gtest.h>

namespace wh = ssegw::webhooks;

namespace {

wh::delivery_target target(std::string_view url) {
    auto t = wh::parse_target(url);
    EXPECT_TRUE(t) << url;
    return t.value_or(wh::delivery_target{});
}

TEST(delivery_target, names_ports_and_targets) {
    auto t = target("https://Hooks.Example.com/in?x=1&y=%20");
    EXPECT_TRUE(t.https);
    EXPECT_FALSE(t.ip_literal);
    EXPECT_EQ(t.host, "Hooks.Example.com");
    EXPECT_EQ(t.port, 443);
    EXPECT_EQ(t.host_header, "Hooks.Example.com");
    EXPECT_EQ(t.path_query, "/in?x=1&y=%20");
    EXPECT_EQ(t.origin, "https://hooks.example.com:443");

    t = target("http://127.0.0.1:8080");
    EXPECT_FALSE(t.https);
    EXPECT_TRUE(t.ip_literal);
    EXPECT_EQ(t.host, "127.0.0.1");
    EXPECT_EQ(t.port, 8080);
    EXPECT_EQ(t.host_header, "127.0.0.1:8080");
    EXPECT_EQ(t.path_query, "/");
    EXPECT_EQ(t.origin, "http://127.0.0.1:8080");

    t = target("https://[::FFFF:127.0.0.1]:9443?q");
    EXPECT_TRUE(t.ip_literal);
    EXPECT_EQ(t.host, "::FFFF:127.0.0.1");
    EXPECT_EQ(t.host_header, "[::FFFF:127.0.0.1]:9443");
    EXPECT_EQ(t.path_query, "/?q");
    EXPECT_EQ(t.origin, "https://[::ffff:127.0.0.1]:9443");

    EXPECT_EQ(target("https://a.example:443/").host_header, "a.example:443");  // as the URL writes it
    EXPECT_EQ(target("https://a.example:443/").origin, target("https://a.example/").origin);
}

TEST(delivery_target, what_cannot_be_sent_is_refused) {
    for (auto url : {"ftp://a.example/", "https:///x", "https://user@a.example/", "https://a.example:0/",
                     "https://a.example:65536/", "https://a%2eexample/", "/relative", "https://[v1.x]/",
                     "https://a.example:8o/"})
        EXPECT_FALSE(wh::parse_target(url)) << url;
}

TEST(request_head, the_exact_head) {
    wh::attempt_request r;
    r.url = "https://hooks.example.com:8443/in?t=1";
    r.body = "{\"id\":\"e1\"}";
    r.headers = {{"Content-Type", "application/json"}, {"X-SaaS-Event", "alert_triggered"}, {"webhook-id", "e1"}};
    auto h = wh::request_head(target(r.url), r);
    EXPECT_EQ(h.error, "");
    EXPECT_EQ(h.head,
              "POST /in?t=1 HTTP/1.1\r\n"
              "Host: hooks.example.com:8443\r\n"
              "User-Agent: sse-webhooks/1\r\n"
              "Content-Type: application/json\r\n"
              "X-SaaS-Event: alert_triggered\r\n"
              "webhook-id: e1\r\n"
              "Content-Length: 11\r\n"
              "Connection: keep-alive\r\n\r\n");
}

TEST(request_head, a_json_content_type_when_none_is_given) {
    wh::attempt_request r;
    r.url = "https://h.example/";
    auto h = wh::request_head(target(r.url), r);
    EXPECT_EQ(h.head,
              "POST / HTTP/1.1\r\nHost: h.example\r\nUser-Agent: sse-webhooks/1\r\n"
              "Content-Type: application/json\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
}

TEST(request_head, no_given_header_can_add_a_line_or_replace_the_senders) {
    auto refused = [](std::string name, std::string value) {
        wh::attempt_request r;
        r.url = "https://h.example/";
        r.headers = {{std::move(name), std::move(value)}};
        auto h = wh::request_head(target(r.url), r);
        return h.head.empty() && !h.error.empty();
    };
    EXPECT_TRUE(refused("X-A", "v\r\nX-Injected: 1"));
    EXPECT_TRUE(refused("X-A", "v\nX"));
    EXPECT_TRUE(refused("X-A", std::string("v\0", 2)));
    EXPECT_TRUE(refused("X-A\r\nX-B", "v"));
    EXPECT_TRUE(refused("X A", "v"));
    EXPECT_TRUE(refused("", "v"));
    EXPECT_TRUE(refused("X-A", "\x7f"));
    for (auto own : {"Host", "user-agent", "Content-Length", "CONNECTION", "Transfer-Encoding"})
        EXPECT_TRUE(refused(own, "x")) << own;
    EXPECT_FALSE(refused("X-A", "a\tb \xC3\xA9"));  // tab and non-ASCII bytes are field content
}

} // namespace

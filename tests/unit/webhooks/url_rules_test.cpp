// webhooks/model/url_rules: the `url` rule of docs/WEBHOOKS.md ("Validation", and the refused networks) — absolute https
// (http only when allowed), at most 500 RFC 3986 characters, a plain host name or a permitted IP
// literal, no userinfo, no fragment, a port in 1-65535.
#include "webhooks/model/url_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wh = ssegw::webhooks;

namespace {

wh::address_policy const default_policy;
wh::url_rules const https_only{false, &default_policy};
wh::url_rules const with_http{true, &default_policy};

bool ok(std::string const& url, wh::url_rules const& rules = https_only) { return wh::acceptable_url(url, rules); }

// An https URL of exactly n characters.
std::string url_of_length(std::size_t n) {
    std::string u = "https://example.com/";
    u += std::string(n - u.size(), 'a');
    return u;
}

} // namespace

TEST(url_rules, https_urls) {
    EXPECT_TRUE(ok("https://example.com"));
    EXPECT_TRUE(ok("https://example.com/"));
    EXPECT_TRUE(ok("https://example.com/hooks/in?token=abc&x=1"));
    EXPECT_TRUE(ok("https://api.example.co.uk:8443/a/b/c"));
    EXPECT_TRUE(ok("HTTPS://Example.COM/"));
    EXPECT_TRUE(ok("https://xn--fiqs8s.example/"));  // an IDN in punycode
    EXPECT_TRUE(ok("https://my_host.internal-name.example/"));
    EXPECT_TRUE(ok("https://localhost/"));  // names are checked when resolved, not here
}

TEST(url_rules, http_only_when_allowed) {
    EXPECT_FALSE(ok("http://example.com/"));
    EXPECT_TRUE(ok("http://example.com/", with_http));
    EXPECT_TRUE(ok("HTTP://example.com:8080/x", with_http));
    EXPECT_TRUE(ok("https://example.com/", with_http));
    for (auto other : {"ftp://example.com/", "ws://example.com/", "wss://example.com/", "file:///etc/passwd",
                       "mailto:a@example.com", "httpss://example.com/", "javascript:alert(1)"}) {
        EXPECT_FALSE(ok(other)) << other;
        EXPECT_FALSE(ok(other, with_http)) << other;
    }
}

TEST(url_rules, at_most_500_characters) {
    EXPECT_EQ(url_of_length(500).size(), 500u);
    EXPECT_TRUE(ok(url_of_length(500)));
    EXPECT_FALSE(ok(url_of_length(501)));
    EXPECT_FALSE(ok(url_of_length(5000)));
    EXPECT_FALSE(ok(""));
}

TEST(url_rules, spaces_controls_and_non_ascii_must_be_percent_encoded) {
    EXPECT_FALSE(ok("https://example.com/a b"));
    EXPECT_FALSE(ok("https://example.com/a\tb"));
    EXPECT_FALSE(ok("https://example.com/a\r\nHost: evil"));
    EXPECT_FALSE(ok(std::string("https://example.com/a\0b", 23)));
    EXPECT_FALSE(ok("https://example.com/\x7f"));
    EXPECT_FALSE(ok("https://example.com/caf\xc3\xa9"));
    EXPECT_FALSE(ok("https://b\xc3\xbc" "cher.example/"));  // an IDN not in punycode
    EXPECT_FALSE(ok(" https://example.com/"));
    EXPECT_FALSE(ok("https://example.com/ "));
    EXPECT_FALSE(ok("https://example.com/<x>"));
    EXPECT_FALSE(ok("https://example.com/\"x\""));
    EXPECT_TRUE(ok("https://example.com/a%20b"));
    EXPECT_TRUE(ok("https://example.com/caf%C3%A9?q=%0D%0A"));
    EXPECT_FALSE(ok("https://example.com/a%2"));   // a broken escape
    EXPECT_FALSE(ok("https://example.com/a%zz"));
}

TEST(url_rules, no_userinfo) {
    EXPECT_FALSE(ok("https://user@example.com/"));
    EXPECT_FALSE(ok("https://user:pass@example.com/"));
    EXPECT_FALSE(ok("https://:pass@example.com/"));
    EXPECT_FALSE(ok("https://@example.com/"));
    EXPECT_FALSE(ok("https://example.com@127.0.0.1/"));
}

TEST(url_rules, no_fragment) {
    EXPECT_FALSE(ok("https://example.com/#frag"));
    EXPECT_FALSE(ok("https://example.com/#"));
    EXPECT_FALSE(ok("https://example.com/path?q=1#x"));
    EXPECT_TRUE(ok("https://example.com/path?q=%231"));
}

TEST(url_rules, port_1_to_65535) {
    EXPECT_TRUE(ok("https://example.com:1/"));
    EXPECT_TRUE(ok("https://example.com:443/"));
    EXPECT_TRUE(ok("https://example.com:65535/"));
    EXPECT_FALSE(ok("https://example.com:0/"));
    EXPECT_FALSE(ok("https://example.com:65536/"));
    EXPECT_FALSE(ok("https://example.com:99999999999999999999/"));
    EXPECT_FALSE(ok("https://example.com:/"));
    EXPECT_FALSE(ok("https://example.com:-1/"));
    // Non-digits after the port (Boost.URL 1.81 reads `:8o/` as port 8 and path `o/`).
    EXPECT_FALSE(ok("https://example.com:8o/"));
    EXPECT_FALSE(ok("https://example.com:443x"));
    EXPECT_FALSE(ok("https://example.com:1a2/hook"));
    EXPECT_FALSE(ok("https://[2606:4700:4700::1111]:8o/"));
    EXPECT_FALSE(ok("https://[2606:4700:4700::1111]x/"));
    EXPECT_TRUE(ok("https://example.com:443?x=1"));
    EXPECT_FALSE(ok("https://example.com:+443/"));
}

TEST(url_rules, ipv4_literal_hosts_follow_the_address_policy) {
    EXPECT_TRUE(ok("https://93.184.216.34/"));
    EXPECT_TRUE(ok("https://8.8.8.8:8443/x"));
    for (auto refused : {"https://127.0.0.1/", "https://127.0.0.1:8080/", "https://10.0.0.1/", "https://192.168.1.1/",
                         "https://169.254.169.254/latest/meta-data/", "https://0.0.0.0/", "https://100.64.0.1/",
                         "https://224.0.0.1/", "https://255.255.255.255/"})
        EXPECT_FALSE(ok(refused)) << refused;
    // --webhook-allow-net 127.0.0.0/8 (how tests reach local receivers).
    wh::address_policy local({*wh::parse_network("127.0.0.0/8")});
    wh::url_rules local_http{true, &local};
    EXPECT_TRUE(ok("http://127.0.0.1:8080/hook", local_http));
    EXPECT_TRUE(ok("https://127.0.0.1/", local_http));
    EXPECT_FALSE(ok("http://10.0.0.1/", local_http));
    EXPECT_FALSE(ok("http://169.254.169.254/", local_http));
    // Without a policy IP literals are not checked.
    EXPECT_TRUE(ok("https://127.0.0.1/", wh::url_rules{}));
}

TEST(url_rules, ipv6_literal_hosts_follow_the_address_policy) {
    EXPECT_TRUE(ok("https://[2606:4700:4700::1111]/"));
    EXPECT_TRUE(ok("https://[2606:4700:4700::1111]:8443/hook"));
    for (auto refused : {"https://[::1]/", "https://[::]/", "https://[fd00:ec2::254]/", "https://[fe80::1]/",
                         "https://[::ffff:127.0.0.1]/", "https://[::ffff:8.8.8.8]/", "https://[2001:db8::1]/",
                         "https://[ff02::1]/"})
        EXPECT_FALSE(ok(refused)) << refused;
    wh::address_policy v6({*wh::parse_network("::1")});
    EXPECT_TRUE(ok("https://[::1]:9000/", wh::url_rules{false, &v6}));
    EXPECT_FALSE(ok("https://[::2]:9000/", wh::url_rules{false, &v6}));
    // Malformed IPv6 literals.
    EXPECT_FALSE(ok("https://[::1/"));
    EXPECT_FALSE(ok("https://::1/"));
    EXPECT_FALSE(ok("https://[2606:4700:4700::1111:1:2:3:4:5]/"));
    EXPECT_FALSE(ok("https://[fe80::1%25eth0]/"));  // zone ids are not RFC 3986
}

TEST(url_rules, ipvfuture_is_refused) {
    EXPECT_FALSE(ok("https://[v1.fe80::a+en1]/"));
    EXPECT_FALSE(ok("https://[v7.abc]/", wh::url_rules{}));
}

TEST(url_rules, a_host_is_required) {
    EXPECT_FALSE(ok("https:///path"));
    EXPECT_FALSE(ok("https://"));
    EXPECT_FALSE(ok("https://:443/"));
    EXPECT_FALSE(ok("https:example.com"));
    EXPECT_FALSE(ok("https:/example.com/"));
}

TEST(url_rules, relative_urls_are_refused) {
    EXPECT_FALSE(ok("//example.com/hook"));
    EXPECT_FALSE(ok("/hook"));
    EXPECT_FALSE(ok("example.com/hook"));
    EXPECT_FALSE(ok("hook"));
}

TEST(url_rules, odd_host_characters_are_refused) {
    // Legal RFC 3986 reg-name characters that do not belong in a Host header or SNI.
    for (auto odd : {"https://exa!mple.com/", "https://exa$mple.com/", "https://exa&mple.com/", "https://exa'mple.com/",
                     "https://exa(mple).com/", "https://exa*mple.com/", "https://exa+mple.com/", "https://exa,mple.com/",
                     "https://exa;mple.com/", "https://exa=mple.com/", "https://exa~mple.com/",
                     "https://exa%41mple.com/", "https://exa%0d%0ample.com/", "https://example.com%2f/"})
        EXPECT_FALSE(ok(odd)) << odd;
    EXPECT_TRUE(ok("https://a-b.c_d.example/"));
    EXPECT_TRUE(ok(std::string("https://") + std::string(253, 'a') + "/"));
    EXPECT_FALSE(ok(std::string("https://") + std::string(254, 'a') + "/"));
}

TEST(url_rules, names_that_resolvers_read_as_ipv4_are_refused) {
    EXPECT_FALSE(ok("https://127.1/"));
    EXPECT_FALSE(ok("https://2130706433/"));
    EXPECT_FALSE(ok("https://127.0.0.01/"));
    EXPECT_FALSE(ok("https://0x7f.1/"));
    EXPECT_FALSE(ok("https://a.example.0x10/"));
    EXPECT_FALSE(ok("https://8.8.8.8./"));
    EXPECT_TRUE(ok("https://1.example.com/"));
    EXPECT_TRUE(ok("https://example.1x/"));
}

// redis::parse_url: redis://[:password@]host:port[/db] as the --redis flag takes it.
#include "common/redis/url.hpp"

#include <gtest/gtest.h>

#include <string>

using ssegw::redis::endpoint;
using ssegw::redis::parse_url;

namespace {

endpoint must_parse(std::string const& url) {
    std::string err;
    auto ep = parse_url(url, err);
    EXPECT_TRUE(ep.has_value()) << url << ": " << err;
    return ep.value_or(endpoint{"<failed>", 0, "", -1});
}

} // namespace

TEST(redis_url, host_port_db) {
    auto ep = must_parse("redis://cache.internal:6380/2");
    EXPECT_EQ(ep.host, "cache.internal");
    EXPECT_EQ(ep.port, 6380);
    EXPECT_EQ(ep.db, 2);
    EXPECT_EQ(ep.password, "");
}

TEST(redis_url, defaults) {
    auto ep = must_parse("redis://10.1.2.3");
    EXPECT_EQ(ep.host, "10.1.2.3");
    EXPECT_EQ(ep.port, 6379);
    EXPECT_EQ(ep.db, 0);
    EXPECT_EQ(ep.password, "");

    EXPECT_EQ(must_parse("redis://h/").db, 0);
    EXPECT_EQ(must_parse("redis://h:7000").port, 7000);

    endpoint def;
    EXPECT_EQ(def.host, "127.0.0.1");
    EXPECT_EQ(def.port, 6379);
    EXPECT_EQ(def.db, 0);
}

TEST(redis_url, contract_default) {
    auto ep = must_parse("redis://127.0.0.1:6379/0");
    EXPECT_EQ(ep.host, "127.0.0.1");
    EXPECT_EQ(ep.port, 6379);
    EXPECT_EQ(ep.db, 0);
}

TEST(redis_url, password_with_empty_user) {
    auto ep = must_parse("redis://:pw@h:1/2");
    EXPECT_EQ(ep.password, "pw");
    EXPECT_EQ(ep.host, "h");
    EXPECT_EQ(ep.port, 1);
    EXPECT_EQ(ep.db, 2);
}

TEST(redis_url, password_shorthand_without_colon) {
    auto ep = must_parse("redis://pw@h");
    EXPECT_EQ(ep.password, "pw");
    EXPECT_EQ(ep.host, "h");
    EXPECT_EQ(ep.port, 6379);
    EXPECT_EQ(ep.db, 0);
}

TEST(redis_url, percent_encoded_password_is_decoded) {
    EXPECT_EQ(must_parse("redis://:p%40ss%3Aword@h").password, "p@ss:word");
}

TEST(redis_url, ipv6_host_without_brackets) {
    auto ep = must_parse("redis://[::1]:6390/3");
    EXPECT_EQ(ep.host, "::1");
    EXPECT_EQ(ep.port, 6390);
    EXPECT_EQ(ep.db, 3);
    EXPECT_EQ(must_parse("redis://:pw@[::1]").host, "::1");
}

TEST(redis_url, rejects_bad_urls) {
    for (std::string const bad :
         {"", "127.0.0.1:6379", "http://h:6379/0", "rediss://h", "unix:///tmp/redis.sock", "redis://",
          "redis:///0", "redis://h:0", "redis://h:65536", "redis://h:70000", "redis://h:99999999999",
          "redis://h:abc", "redis://h/abc", "redis://h/-1", "redis://h/1/2", "redis://h/1x", "redis://h/ 1",
          "redis://h/99999999999"}) {
        std::string err;
        EXPECT_FALSE(parse_url(bad, err).has_value()) << '"' << bad << '"';
        EXPECT_FALSE(err.empty()) << '"' << bad << '"';
    }
}

// gateway parse_config: flags, SSE_GATEWAY_* variables, defaults and errors (docs/OPERATIONS.md, Configuration).
#include "gateway/config.hpp"

#include "tests/unit/support/fake_env.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

using namespace ssegw::gateway;

namespace {

using ssegw::test::fake_env;
using ssegw::test::fake_getenv;

class config_parse : public ::testing::Test {
protected:
    void SetUp() override { fake_env().clear(); }
    void TearDown() override { fake_env().clear(); }

    static parse_result parse(std::initializer_list<char const*> args) {
        std::vector<char const*> argv{"sse-gateway"};
        argv.insert(argv.end(), args.begin(), args.end());
        return parse_config(static_cast<int>(argv.size()), argv.data(), &fake_getenv);
    }

    static config ok(std::initializer_list<char const*> args) {
        auto r = parse(args);
        EXPECT_TRUE(r.cfg.has_value()) << r.message;
        EXPECT_EQ(r.exit_code, 0);
        return r.cfg.value_or(config{});
    }

    // A bad value: exit 2, no config, one line naming `what` (the flag or variable).
    static void expect_error(std::initializer_list<char const*> args, std::string const& what) {
        auto r = parse(args);
        std::string joined;
        for (auto a : args) joined += std::string(a) + " ";
        EXPECT_FALSE(r.cfg.has_value()) << joined;
        EXPECT_EQ(r.exit_code, 2) << joined;
        EXPECT_FALSE(r.message.empty()) << joined;
        EXPECT_EQ(r.message.find('\n'), std::string::npos) << joined << "-> " << r.message;
        EXPECT_NE(r.message.find(what), std::string::npos) << joined << "-> " << r.message;
    }
};

} // namespace

TEST_F(config_parse, defaults_match_the_contract) {
    auto c = ok({});
    EXPECT_EQ(c.listen_host, "127.0.0.1");
    EXPECT_EQ(c.listen_port, 8080);
    EXPECT_EQ(c.redis_url, "redis://127.0.0.1:6379/0");
    EXPECT_EQ(c.redis.host, "127.0.0.1");
    EXPECT_EQ(c.redis.port, 6379);
    EXPECT_EQ(c.redis.db, 0);
    EXPECT_EQ(c.redis.password, "");
    EXPECT_GE(c.threads, 1u);
    EXPECT_DOUBLE_EQ(c.keepalive_interval.count(), 15);
    EXPECT_DOUBLE_EQ(c.idle_timeout.count(), 300);
    EXPECT_EQ(c.max_conns_per_user, 10u);
    EXPECT_EQ(c.retry_ms, 3000u);
    EXPECT_EQ(c.max_queued_bytes, 1048576u);
    EXPECT_DOUBLE_EQ(c.write_timeout.count(), 30);
    EXPECT_EQ(c.max_connections, 100000u);
    EXPECT_TRUE(c.cors_origins.empty());
    EXPECT_EQ(c.log_level, ssegw::log::level::info);
    EXPECT_TRUE(c.tls_cert.empty());
    EXPECT_TRUE(c.tls_key.empty());
    EXPECT_DOUBLE_EQ(c.lease_ttl.count(), 90);
}

TEST_F(config_parse, default_instance_id_is_hostname_and_pid) {
    auto c = ok({});
    auto colon = c.instance_id.rfind(':');
    ASSERT_NE(colon, std::string::npos) << c.instance_id;
    EXPECT_GT(colon, 0u);
    EXPECT_EQ(c.instance_id.substr(colon + 1), std::to_string(getpid()));
}

TEST_F(config_parse, every_flag_sets_its_field) {
    auto c = ok({"--listen", "0.0.0.0:9090", "--redis", "redis://10.0.0.5:6380/3", "--threads", "3",
                 "--keepalive-interval", "5", "--idle-timeout", "60", "--max-conns-per-user", "2", "--retry-ms",
                 "1500", "--max-queued-bytes", "65536", "--write-timeout", "7", "--max-connections", "500",
                 "--cors-origin", "https://app.example.com", "--instance-id", "gw-1", "--log-level", "debug",
                 "--tls-cert", "/etc/gw/cert.pem", "--tls-key", "/etc/gw/key.pem", "--lease-ttl", "45"});
    EXPECT_EQ(c.listen_host, "0.0.0.0");
    EXPECT_EQ(c.listen_port, 9090);
    EXPECT_EQ(c.redis_url, "redis://10.0.0.5:6380/3");
    EXPECT_EQ(c.redis.host, "10.0.0.5");
    EXPECT_EQ(c.threads, 3u);
    EXPECT_DOUBLE_EQ(c.keepalive_interval.count(), 5);
    EXPECT_DOUBLE_EQ(c.idle_timeout.count(), 60);
    EXPECT_EQ(c.max_conns_per_user, 2u);
    EXPECT_EQ(c.retry_ms, 1500u);
    EXPECT_EQ(c.max_queued_bytes, 65536u);
    EXPECT_DOUBLE_EQ(c.write_timeout.count(), 7);
    EXPECT_EQ(c.max_connections, 500u);
    EXPECT_EQ(c.cors_origins, std::vector<std::string>{"https://app.example.com"});
    EXPECT_EQ(c.instance_id, "gw-1");
    EXPECT_EQ(c.log_level, ssegw::log::level::debug);
    EXPECT_EQ(c.tls_cert, "/etc/gw/cert.pem");
    EXPECT_EQ(c.tls_key, "/etc/gw/key.pem");
    EXPECT_DOUBLE_EQ(c.lease_ttl.count(), 45);
}

TEST_F(config_parse, env_var_applies) {
    fake_env()["SSE_GATEWAY_IDLE_TIMEOUT"] = "42";
    fake_env()["SSE_GATEWAY_LISTEN"] = "127.0.0.1:0";
    fake_env()["SSE_GATEWAY_MAX_CONNS_PER_USER"] = "3";
    fake_env()["SSE_GATEWAY_LOG_LEVEL"] = "warn";
    fake_env()["SSE_GATEWAY_REDIS"] = "redis://:envpw@redis.local:6381/1";
    auto c = ok({});
    EXPECT_DOUBLE_EQ(c.idle_timeout.count(), 42);
    EXPECT_EQ(c.listen_port, 0);
    EXPECT_EQ(c.max_conns_per_user, 3u);
    EXPECT_EQ(c.log_level, ssegw::log::level::warn);
    EXPECT_EQ(c.redis.host, "redis.local");
    EXPECT_EQ(c.redis.password, "envpw");
}

TEST_F(config_parse, flag_beats_env_var) {
    fake_env()["SSE_GATEWAY_IDLE_TIMEOUT"] = "42";
    fake_env()["SSE_GATEWAY_RETRY_MS"] = "100";
    auto c = ok({"--idle-timeout", "7", "--retry-ms=200"});
    EXPECT_DOUBLE_EQ(c.idle_timeout.count(), 7);
    EXPECT_EQ(c.retry_ms, 200u);
}

TEST_F(config_parse, cors_flags_replace_env_origins) {
    fake_env()["SSE_GATEWAY_CORS_ORIGIN"] = "https://env.example.com";
    EXPECT_EQ(ok({}).cors_origins, std::vector<std::string>{"https://env.example.com"});
    EXPECT_EQ(ok({"--cors-origin", "https://flag.example.com"}).cors_origins,
              std::vector<std::string>{"https://flag.example.com"});
}

TEST_F(config_parse, equals_form) {
    auto c = ok({"--idle-timeout=60", "--listen=127.0.0.1:9000", "--log-level=error"});
    EXPECT_DOUBLE_EQ(c.idle_timeout.count(), 60);
    EXPECT_EQ(c.listen_port, 9000);
    EXPECT_EQ(c.log_level, ssegw::log::level::error);
}

TEST_F(config_parse, ipv6_listen_address) {
    auto c = ok({"--listen", "[::1]:9000"});
    EXPECT_EQ(c.listen_host, "::1");
    EXPECT_EQ(c.listen_port, 9000);
    c = ok({"--listen=[::]:8081"});
    EXPECT_EQ(c.listen_host, "::");
    EXPECT_EQ(c.listen_port, 8081);
}

TEST_F(config_parse, decimal_seconds) {
    auto c = ok({"--keepalive-interval", "0.5", "--idle-timeout", "1.25", "--write-timeout", "0.1"});
    EXPECT_DOUBLE_EQ(c.keepalive_interval.count(), 0.5);
    EXPECT_DOUBLE_EQ(c.idle_timeout.count(), 1.25);
    EXPECT_DOUBLE_EQ(c.write_timeout.count(), 0.1);
}

TEST_F(config_parse, repeatable_cors_origin) {
    auto c = ok({"--cors-origin", "https://a.example.com", "--cors-origin=*", "--cors-origin",
                 "http://localhost:3000"});
    EXPECT_EQ(c.cors_origins,
              (std::vector<std::string>{"https://a.example.com", "*", "http://localhost:3000"}));
}

TEST_F(config_parse, redis_url_with_password_and_db) {
    auto c = ok({"--redis", "redis://:s3cret@10.0.0.5:6380/3"});
    EXPECT_EQ(c.redis_url, "redis://:s3cret@10.0.0.5:6380/3");
    EXPECT_EQ(c.redis.host, "10.0.0.5");
    EXPECT_EQ(c.redis.port, 6380);
    EXPECT_EQ(c.redis.password, "s3cret");
    EXPECT_EQ(c.redis.db, 3);
}

TEST_F(config_parse, negative_values_are_errors) {
    expect_error({"--idle-timeout", "-1"}, "--idle-timeout");
    expect_error({"--keepalive-interval", "-5"}, "--keepalive-interval");
    expect_error({"--max-conns-per-user", "-1"}, "--max-conns-per-user");
    expect_error({"--retry-ms", "-3000"}, "--retry-ms");
    expect_error({"--max-queued-bytes=-1"}, "--max-queued-bytes");
}

TEST_F(config_parse, zero_seconds_are_errors) {
    expect_error({"--idle-timeout", "0"}, "--idle-timeout");
    expect_error({"--keepalive-interval", "0"}, "--keepalive-interval");
    expect_error({"--write-timeout", "0.0"}, "--write-timeout");
    expect_error({"--lease-ttl", "0"}, "--lease-ttl");
}

TEST_F(config_parse, non_numbers_are_errors) {
    expect_error({"--idle-timeout", "abc"}, "--idle-timeout");
    expect_error({"--idle-timeout", "10s"}, "--idle-timeout");
    expect_error({"--idle-timeout", ""}, "--idle-timeout");
    expect_error({"--idle-timeout", "nan"}, "--idle-timeout");
    expect_error({"--idle-timeout", "inf"}, "--idle-timeout");
    expect_error({"--max-connections", "abc"}, "--max-connections");
    expect_error({"--max-connections", "1.5"}, "--max-connections");
    expect_error({"--threads", "0"}, "--threads");
    expect_error({"--threads", "four"}, "--threads");
    expect_error({"--retry-ms", "99999999999999999999999"}, "--retry-ms");
}

TEST_F(config_parse, bad_listen_is_error) {
    expect_error({"--listen", "127.0.0.1:70000"}, "--listen");
    expect_error({"--listen", "127.0.0.1"}, "--listen");
    expect_error({"--listen", "127.0.0.1:"}, "--listen");
    expect_error({"--listen", "::1:9000"}, "--listen");
    expect_error({"--listen", "[::1]"}, "--listen");
    expect_error({"--listen", "999.1.1.1:80"}, "--listen");
    expect_error({"--listen", "127.0.0.1:-1"}, "--listen");
}

TEST_F(config_parse, unknown_flag_is_error) {
    expect_error({"--bogus"}, "--bogus");
    expect_error({"--bogus=1"}, "--bogus");
    expect_error({"--idle_timeout", "5"}, "--idle_timeout");
    expect_error({"stray"}, "stray");
}

TEST_F(config_parse, missing_value_is_error) {
    expect_error({"--idle-timeout"}, "--idle-timeout");
    expect_error({"--listen"}, "--listen");
    expect_error({"--cors-origin"}, "--cors-origin");
}

TEST_F(config_parse, bad_redis_url_is_error) {
    expect_error({"--redis", "http://127.0.0.1:6379"}, "--redis");
    expect_error({"--redis", "redis://h:99999"}, "--redis");
    expect_error({"--redis", "redis://h/x"}, "--redis");
    expect_error({"--redis", "127.0.0.1:6379"}, "--redis");
}

TEST_F(config_parse, bad_log_level_is_error) {
    expect_error({"--log-level", "verbose"}, "--log-level");
    expect_error({"--log-level", ""}, "--log-level");
}

TEST_F(config_parse, tls_cert_and_key_go_together) {
    expect_error({"--tls-cert", "/etc/cert.pem"}, "--tls-cert");
    expect_error({"--tls-key", "/etc/key.pem"}, "--tls-key");
}

TEST_F(config_parse, bad_env_value_is_error_naming_the_variable) {
    fake_env()["SSE_GATEWAY_IDLE_TIMEOUT"] = "abc";
    expect_error({}, "SSE_GATEWAY_IDLE_TIMEOUT");
    fake_env().clear();
    fake_env()["SSE_GATEWAY_LISTEN"] = "127.0.0.1:70000";
    expect_error({}, "SSE_GATEWAY_LISTEN");
}

TEST_F(config_parse, help_exits_zero_and_lists_every_flag) {
    auto r = parse({"--help"});
    EXPECT_FALSE(r.cfg.has_value());
    EXPECT_EQ(r.exit_code, 0);
    for (auto flag : {"--listen", "--redis", "--threads", "--keepalive-interval", "--idle-timeout",
                      "--max-conns-per-user", "--retry-ms", "--max-queued-bytes", "--write-timeout",
                      "--max-connections", "--cors-origin", "--instance-id", "--log-level", "--tls-cert",
                      "--tls-key", "--help"})
        EXPECT_NE(r.message.find(flag), std::string::npos) << flag;
    for (auto env : {"SSE_GATEWAY_LISTEN", "SSE_GATEWAY_IDLE_TIMEOUT", "SSE_GATEWAY_MAX_CONNS_PER_USER"})
        EXPECT_NE(r.message.find(env), std::string::npos) << env;
    for (auto def : {"127.0.0.1:8080", "redis://127.0.0.1:6379/0", "1048576", "100000", "3000"})
        EXPECT_NE(r.message.find(def), std::string::npos) << def;
    EXPECT_EQ(r.message, help_text());
}

TEST_F(config_parse, help_wins_over_later_flags) {
    auto r = parse({"--idle-timeout", "5", "--help", "--bogus"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_FALSE(r.cfg.has_value());
}

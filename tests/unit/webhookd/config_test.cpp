// webhookd parse_config: the flags and SSE_WEBHOOKD_* variables, defaults, and the refusals.
#include "webhookd/config.hpp"

#include "tests/support/temp_dir.hpp"

#include "tests/unit/support/fake_env.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

using namespace ssegw::webhookd;
using namespace std::chrono;

namespace {

using ssegw::test::fake_env;
using ssegw::test::fake_getenv;

class webhookd_config : public ::testing::Test {
protected:
    void SetUp() override {
        fake_env().clear();
        key_file_ = dir_.file("keys").string();
        std::ofstream(key_file_) << "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
        ::chmod(key_file_.c_str(), 0600);
    }
    void TearDown() override { fake_env().clear(); }

    parse_result parse(std::vector<std::string> args, bool with_keys = true) {
        std::vector<std::string> all{"sse-webhookd"};
        if (with_keys) all.insert(all.end(), {"--webhook-secret-key-file", key_file_});
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char const*> argv;
        for (auto const& a : all) argv.push_back(a.c_str());
        return parse_config(static_cast<int>(argv.size()), argv.data(), &fake_getenv);
    }

    void expect_exit_2(std::vector<std::string> args, std::string const& names, bool with_keys = true) {
        auto r = parse(args, with_keys);
        EXPECT_FALSE(r.cfg);
        EXPECT_EQ(r.exit_code, 2) << r.message;
        EXPECT_NE(r.message.find(names), std::string::npos) << r.message;
        EXPECT_EQ(r.message.find('\n'), std::string::npos) << r.message;
    }

    ssegw::it::temp_dir dir_;
    std::string key_file_;
};

} // namespace

TEST_F(webhookd_config, defaults) {
    auto r = parse({});
    ASSERT_TRUE(r.cfg) << r.message;
    auto const& c = *r.cfg;
    EXPECT_EQ(c.listen_host, "127.0.0.1");
    EXPECT_EQ(c.listen_port, 9090);
    EXPECT_EQ(c.max_in_flight, 256u);
    EXPECT_EQ(c.max_in_flight_per_webhook, 16u);
    EXPECT_EQ(c.retry_schedule[0], seconds(60));
    EXPECT_EQ(c.retry_schedule[4], seconds(18000));
    EXPECT_DOUBLE_EQ(c.retry_jitter, 0.2);
    EXPECT_EQ(c.retry_after_max, seconds(3600));
    EXPECT_EQ(c.reclaim_after, seconds(30));
    EXPECT_EQ(c.disable_after_failures, 100u);
    EXPECT_EQ(c.disable_after, seconds(432000));
    EXPECT_EQ(c.drain_timeout, seconds(35));
    EXPECT_EQ(c.webhook.retention, seconds(2592000));
    EXPECT_FALSE(c.webhook.allow_http);
    EXPECT_TRUE(c.keys);
    EXPECT_FALSE(c.instance_id.empty());
}

TEST_F(webhookd_config, flags_and_variables) {
    fake_env()["SSE_WEBHOOKD_MAX_IN_FLIGHT"] = "32";
    fake_env()["SSE_WEBHOOKD_RETRY_SCHEDULE"] = "1,2,3,4,5";
    fake_env()["SSE_WEBHOOKD_WEBHOOK_ALLOW_HTTP"] = "1";
    auto r = parse({"--max-in-flight", "64", "--retry-jitter", "0", "--disable-after", "0", "--listen", "[::1]:0",
                    "--webhook-allow-net", "127.0.0.0/8", "--webhook-allow-net", "::1/128", "--instance-id", "w-1"});
    ASSERT_TRUE(r.cfg) << r.message;
    EXPECT_EQ(r.cfg->max_in_flight, 64u);  // the flag beats the variable
    EXPECT_EQ(r.cfg->retry_schedule[2], seconds(3));
    EXPECT_TRUE(r.cfg->webhook.allow_http);
    EXPECT_EQ(r.cfg->webhook.allow_nets.size(), 2u);
    EXPECT_DOUBLE_EQ(r.cfg->retry_jitter, 0.0);
    EXPECT_EQ(r.cfg->disable_after, seconds(0));
    EXPECT_EQ(r.cfg->listen_host, "::1");
    EXPECT_EQ(r.cfg->instance_id, "w-1");
}

TEST_F(webhookd_config, bad_values_exit_2_naming_the_flag) {
    expect_exit_2({}, "--webhook-secret-key-file", false);
    expect_exit_2({"--retry-schedule", "60,300,1800,7200"}, "--retry-schedule");
    expect_exit_2({"--retry-schedule", "60,300,1800,7200,18000,1"}, "--retry-schedule");
    expect_exit_2({"--retry-schedule", "0,300,1800,7200,18000"}, "--retry-schedule");
    expect_exit_2({"--retry-schedule", "60,300,1800,7200,86401"}, "--retry-schedule");
    expect_exit_2({"--retry-schedule", "60,,1800,7200,18000"}, "--retry-schedule");
    expect_exit_2({"--retry-jitter", "0.6"}, "--retry-jitter");
    expect_exit_2({"--max-in-flight", "0"}, "--max-in-flight");
    expect_exit_2({"--reclaim-after", "1.5"}, "--reclaim-after");
    expect_exit_2({"--drain-timeout", "0"}, "--drain-timeout");
    expect_exit_2({"--max-in-flight", "8", "--max-in-flight", "9"}, "--max-in-flight");
    expect_exit_2({"--webhook-secret-key-file", "/nonexistent/keys"}, "/nonexistent/keys", false);
    fake_env()["SSE_WEBHOOKD_RETRY_JITTER"] = "x";
    expect_exit_2({}, "SSE_WEBHOOKD_RETRY_JITTER");
}

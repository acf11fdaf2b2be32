// Configuration contract (docs/OPERATIONS.md): bad values exit 2 with one line, env vars, flag beats env.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

#include <sys/wait.h>

namespace ssegw::it {
namespace {

class config : public gateway_test {
protected:
    // Runs the gateway with `args` and expects exit code 2 and a short message on stderr.
    void expect_bad_value(std::vector<std::string> args, std::vector<std::pair<std::string, std::string>> env = {}) {
        process_options o;
        o.path = gateway_binary();
        o.args = {"--listen", "127.0.0.1:0", "--redis", redis_server_->url()};
        o.args.insert(o.args.end(), args.begin(), args.end());
        o.env = std::move(env);
        o.stderr_file = dir_->file("bad.err").string();
        process p(o);
        auto st = p.wait_until(in(10s));
        auto err = read_file(o.stderr_file);
        std::string what;
        for (auto const& a : args) what += a + " ";
        ASSERT_TRUE(st) << what << ": still running after 10 s; stderr: " << err;
        ASSERT_TRUE(WIFEXITED(*st)) << what << ": " << describe_status(st) << "; stderr: " << err;
        EXPECT_EQ(WEXITSTATUS(*st), 2) << what << "; stderr: " << err;
        EXPECT_FALSE(err.empty()) << what << ": no message on stderr";
    }
};

TEST_F(config, bad_values_exit_2) {
    expect_bad_value({"--idle-timeout", "abc"});
    expect_bad_value({"--keepalive-interval", "-1"});
    expect_bad_value({"--max-conns-per-user", "many"});
    expect_bad_value({"--retry-ms", "12x"});
    expect_bad_value({"--listen", "not-an-address"});
    expect_bad_value({"--redis", "http://127.0.0.1:1/0"});
    expect_bad_value({"--no-such-flag", "1"});
    expect_bad_value({}, {{"SSE_GATEWAY_IDLE_TIMEOUT", "soon"}});
}

TEST_F(config, env_variable_sets_retry_and_flag_beats_it) {
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    gateways_.push_back(std::make_unique<gateway>(dir_->path(), redis_server_->url(), "gw-env",
                                                  std::vector<std::string>{}, true,
                                                  std::vector<std::pair<std::string, std::string>>{
                                                      {"SSE_GATEWAY_RETRY_MS", "1234"}}));
    auto s = open_stream(gateways_.back()->port(), device_path(dev), bearer(key));
    EXPECT_EQ(s->body().substr(0, 13), "retry: 1234\n\n") << s->describe();

    gateways_.push_back(std::make_unique<gateway>(dir_->path(), redis_server_->url(), "gw-flag",
                                                  std::vector<std::string>{"--retry-ms", "4321"}, true,
                                                  std::vector<std::pair<std::string, std::string>>{
                                                      {"SSE_GATEWAY_RETRY_MS", "1234"}}));
    auto s2 = open_stream(gateways_.back()->port(), device_path(dev), bearer(key));
    EXPECT_EQ(s2->body().substr(0, 13), "retry: 4321\n\n") << s2->describe();
}

TEST_F(config, help_lists_flags_and_exits_0) {
    process_options o;
    o.path = gateway_binary();
    o.args = {"--help"};
    o.stdout_file = dir_->file("help.out").string();
    o.stderr_file = dir_->file("help.err").string();
    process p(o);
    auto st = p.wait_until(in(10s));
    auto text = read_file(o.stdout_file) + read_file(o.stderr_file);
    ASSERT_TRUE(st && WIFEXITED(*st)) << describe_status(st);
    EXPECT_EQ(WEXITSTATUS(*st), 0);
    for (auto flag : {"--listen", "--redis", "--threads", "--keepalive-interval", "--idle-timeout",
                      "--max-conns-per-user", "--retry-ms", "--max-queued-bytes", "--write-timeout",
                      "--max-connections", "--cors-origin", "--instance-id", "--log-level", "--tls-cert",
                      "--tls-key"})
        EXPECT_NE(text.find(flag), std::string::npos) << "--help does not mention " << flag << ":\n" << text;
}

} // namespace
} // namespace ssegw::it

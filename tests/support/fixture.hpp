// The GoogleTest fixture every integration test uses: a scratch dir, a private redis-server, gateways
// and delivery workers on demand, seeding shortcuts; prints their logs when a test fails.
#pragma once

#include "tests/support/gateway.hpp"
#include "tests/support/publisher.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/seed.hpp"
#include "tests/support/sse_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/traffic.hpp"

#include <gtest/gtest.h>

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ssegw::it {

class gateway_test : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    /// Starts a gateway on this test's Redis; instance ids are "gw-a", "gw-b", … unless named.
    gateway& start_gateway(std::vector<std::string> extra_args = {}, std::string instance_id = {});
    /// Starts an sse-webhookd on this test's Redis; instance ids are "wd-a", "wd-b", … unless named.
    webhookd& start_webhookd(std::vector<std::string> extra_args = {}, std::string instance_id = {});
    /// A name unique in this test run: prefix + test name + counter.
    std::string unique(std::string const& prefix);

    /// A new key for `user` (created with `spec`, user filled in).
    std::string new_key(std::string const& user, key_spec spec = {});
    /// The webhook secrets' key file (--webhook-secret-key-file): <dir>/webhook.keys with one line
    /// per entry of `lines`, replaced if there; returns its path.
    std::string write_key_file(std::vector<std::string> const& lines, mode_t mode = 0600);
    /// A new user with a device:read key and the given devices; returns the key.
    std::string new_user(std::string const& user, std::vector<std::string> const& devices);

    /// Polls PUBSUB NUMSUB until `channel` has at least `n` subscribers; true if it did by the deadline.
    bool wait_subscribed(std::string const& channel, long long n = 1, deadline d = in(5s));

    /// The first sanitizer report in a gateway's log (from its first line on), if any: a sanitizer build
    /// (SSEGW_GATEWAY_SANITIZED=1) reports there, at run time or at exit. TearDown fails the test on one.
    static std::optional<std::string> sanitizer_report(service const& g);

    redis::sync_client& redis() { return *redis_client_; }
    publisher& pub() { return *publisher_; }

    /// Set in a derived fixture's constructor: the private Redis keeps its data across restarts (AOF).
    bool persistent_redis_ = false;

    std::unique_ptr<temp_dir> dir_;
    std::unique_ptr<redis_server> redis_server_;
    std::unique_ptr<redis::sync_client> redis_client_;
    std::unique_ptr<publisher> publisher_;
    std::vector<std::unique_ptr<gateway>> gateways_;
    std::vector<std::unique_ptr<webhookd>> webhookds_;

private:
    int counter_ = 0;
};

/// A realistic analysis result for a device (one line of JSON).
std::string result_json(std::string const& device, int n);

/// What a flat_out_publisher publishes by default: result_json() results of `user`'s `devices`
/// (round-robin), within publish_options' default bounds.
publish_options result_traffic(std::string const& user, std::vector<std::string> devices);

} // namespace ssegw::it

// What the sse-webhookd tests share: a key file and its keyring, the worker started with a fast
// retry schedule on this test's Redis, webhooks written with the management API's create script
// (secrets sealed as the gateway seals them), and a received request's headers.
#pragma once

#include "common/ids/uuid.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/webhook_receiver.hpp"
#include "webhooks/api/webhook_scripts.hpp"
#include "webhooks/secrets/keyring.hpp"

#include <strings.h>

#include <optional>
#include <string>
#include <vector>

namespace ssegw::it {

inline std::string header(received_request const& r, std::string const& name) {
    for (auto const& [k, v] : r.headers)
        if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
    return {};
}

class webhookd_fixture : public gateway_test {
protected:
    static constexpr char const* key_hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    static constexpr char const* secret = "whd_test_secret_0123456789abcdef";

    void SetUp() override {
        gateway_test::SetUp();
        key_file_ = write_key_file({key_hex});
        std::string why;
        ring_ = webhooks::keyring::from_lines({key_hex}, why);
        ASSERT_TRUE(ring_) << why;
    }

    /// The worker allowed to reach 127.0.0.0/8 over http, with 1 s retries, no jitter and a 1 s
    /// reclaim time unless `extra` overrides them.
    webhookd& start(std::vector<std::string> extra = {}, std::string instance = {}) {
        std::vector<std::string> args{"--webhook-secret-key-file", key_file_, "--webhook-allow-http",
                                      "--webhook-allow-net", "127.0.0.0/8", "--retry-schedule", "1,1,1,1,1",
                                      "--retry-jitter", "0", "--reclaim-after", "1"};
        args.insert(args.end(), extra.begin(), extra.end());
        return start_webhookd(args, std::move(instance));
    }

    /// `user`'s webhook to `url`, written as the API's create script writes it; returns its id.
    std::string create_webhook(std::string const& user, std::string url, webhooks::webhook_changes c = {}) {
        c.url = std::move(url);
        auto id = ids::make_uuid7();
        auto w = webhooks::creation_writes(c, id);
        w.set.emplace_back("secret");
        w.set.emplace_back(ring_->seal(secret, user));
        auto r = redis().command(webhooks::scripts::create(user, w));
        EXPECT_EQ(r->type, REDIS_REPLY_ARRAY);
        return id;
    }

    std::string key_file_;
    std::optional<webhooks::keyring> ring_;
};

} // namespace ssegw::it

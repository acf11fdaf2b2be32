// Refusals of stream requests (docs/API.md, errors): 401, 403, 404, 405, 400, with JSON bodies.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

#include <ctime>

namespace ssegw::it {
namespace {

class errors : public gateway_test {
protected:
    void SetUp() override {
        gateway_test::SetUp();
        gw_ = &start_gateway();
        user_ = unique("u");
        dev_ = unique("d");
        add_device(redis(), user_, dev_);
    }
    std::uint16_t port() const { return gw_->port(); }

    ::testing::AssertionResult is_401(http_response const& r) {
        auto res = is_error(r, 401, "UNAUTHORIZED");
        if (!res) return res;
        auto wa = r.header("WWW-Authenticate");
        if (!wa || wa->rfind("Bearer", 0) != 0)
            return ::testing::AssertionFailure() << "WWW-Authenticate does not start with Bearer\n" << r.dump();
        return ::testing::AssertionSuccess();
    }

    gateway* gw_ = nullptr;
    std::string user_, dev_;
};

TEST_F(errors, missing_key_is_401) {
    EXPECT_TRUE(is_401(http_get(port(), device_path(dev_))));
    EXPECT_TRUE(is_401(http_get(port(), all_path())));
    EXPECT_TRUE(is_401(http_get(port(), device_path(dev_), {{"Authorization", "Basic dXNlcjpwYXNz"}})));
    EXPECT_TRUE(is_401(http_get(port(), device_path(dev_), {{"Authorization", "Bearer "}})));
}

TEST_F(errors, unknown_key_is_401) {
    EXPECT_TRUE(is_401(http_get(port(), device_path(dev_), bearer(random_key()))));
    EXPECT_TRUE(is_401(http_get(port(), all_path() + "?access_token=" + random_key())));
}

TEST_F(errors, non_transient_refusal_keeps_its_status_for_event_source) {
    // Only 429 and 503 turn into an event-stream answer; a 401 stays a 401 for EventSource too.
    EXPECT_TRUE(is_401(http_get(port(), device_path(dev_), bearer_es(random_key()))));
}

TEST_F(errors, revoked_key_is_401) {
    auto key = new_key(user_, {.revoked = true});
    EXPECT_TRUE(is_401(http_get(port(), device_path(dev_), bearer(key))));
    EXPECT_TRUE(is_401(http_get(port(), all_path(), bearer(key))));
}

TEST_F(errors, expired_key_is_401_unexpired_key_works) {
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    auto expired = new_key(user_, {.expires_at = now - 60});
    EXPECT_TRUE(is_401(http_get(port(), device_path(dev_), bearer(expired))));
    auto valid = new_key(user_, {.expires_at = now + 3600});
    auto s = open_stream(port(), device_path(dev_), bearer(valid));
    EXPECT_TRUE(has_stream_headers(s->head()));
}

TEST_F(errors, key_marked_revoked_after_use_is_refused_on_next_request) {
    auto key = new_key(user_);
    { auto s = open_stream(port(), device_path(dev_), bearer(key)); }
    redis().command({"HSET", "apikey:" + key_hash(key), "revoked", "1"});
    EXPECT_TRUE(is_401(http_get(port(), device_path(dev_), bearer(key))));
}

TEST_F(errors, scope_without_read_is_403) {
    auto key = new_key(user_, {.scopes = "billing:read"});
    EXPECT_TRUE(is_error(http_get(port(), device_path(dev_), bearer(key)), 403, "FORBIDDEN"));
    EXPECT_TRUE(is_error(http_get(port(), all_path(), bearer(key)), 403, "FORBIDDEN"));
    auto none = new_key(user_, {.scopes = ""});
    EXPECT_TRUE(is_error(http_get(port(), device_path(dev_), bearer(none)), 403, "FORBIDDEN"));
    // A scope that merely contains the text is not the scope.
    auto lookalike = new_key(user_, {.scopes = "device:readonly xdevice:read"});
    EXPECT_TRUE(is_error(http_get(port(), device_path(dev_), bearer(lookalike)), 403, "FORBIDDEN"));
}

TEST_F(errors, either_read_scope_is_enough) {
    auto analytics = new_key(user_, {.scopes = "billing:read analytics:read"});
    auto s1 = open_stream(port(), device_path(dev_), bearer(analytics));
    auto device = new_key(user_, {.scopes = "device:read billing:write"});
    auto s2 = open_stream(port(), all_path(), bearer(device));
    EXPECT_TRUE(has_stream_headers(s1->head()));
    EXPECT_TRUE(has_stream_headers(s2->head()));
}

TEST_F(errors, unknown_device_is_404) {
    auto key = new_key(user_);
    EXPECT_TRUE(is_error(http_get(port(), device_path(unique("nodev")), bearer(key)), 404, "NOT_FOUND"));
}

TEST_F(errors, another_users_device_gets_the_same_404_as_a_missing_one) {
    auto key = new_key(user_);
    auto other = unique("u-other");
    auto their_dev = unique("d-theirs");
    add_device(redis(), other, their_dev);
    auto foreign = http_get(port(), device_path(their_dev), bearer(key));
    EXPECT_TRUE(is_error(foreign, 404, "NOT_FOUND"));
    // Same id once it belongs to nobody: the answers must not tell the two apart.
    redis().command({"SREM", "user:" + other + ":devices", their_dev});
    auto missing = http_get(port(), device_path(their_dev), bearer(key));
    EXPECT_TRUE(is_error(missing, 404, "NOT_FOUND"));
    EXPECT_EQ(foreign.body, missing.body);
    EXPECT_EQ(foreign.header("Content-Type"), missing.header("Content-Type"));
}

TEST_F(errors, other_methods_on_stream_paths_are_405_with_allow) {
    auto key = new_key(user_);
    for (std::string method : {"POST", "PUT", "DELETE", "PATCH"}) {
        for (auto const& path : {device_path(dev_), all_path()}) {
            auto r = send_request(port(), http_request{method, path, bearer(key), {}});
            EXPECT_TRUE(is_error(r, 405, "METHOD_NOT_ALLOWED")) << method << " " << path;
            auto allow = r.header("Allow");
            ASSERT_TRUE(allow) << method << " " << path << ": no Allow header\n" << r.dump();
            EXPECT_NE(allow->find("GET"), std::string::npos) << *allow;
            EXPECT_EQ(allow->find("POST"), std::string::npos) << *allow;
        }
    }
}

TEST_F(errors, malformed_last_event_id_is_400) {
    auto key = new_key(user_);
    header_list h = bearer(key);
    h.emplace_back("Last-Event-ID", "abc");
    EXPECT_TRUE(is_error(http_get(port(), device_path(dev_), h), 400, "BAD_REQUEST"));
    for (std::string bad : {"1738000000000-", "-0", "1738000000000-0-1", "17380000000x0-0",
                            "99999999999999999999999-0"}) {
        header_list hb = bearer(key);
        hb.emplace_back("Last-Event-ID", bad);
        EXPECT_TRUE(is_error(http_get(port(), all_path(), hb), 400, "BAD_REQUEST")) << "Last-Event-ID: " << bad;
    }
    EXPECT_TRUE(is_error(http_get(port(), device_path(dev_) + "?lastEventId=abc", bearer(key)), 400, "BAD_REQUEST"));
}

TEST_F(errors, access_token_query_parameter_authenticates) {
    auto key = new_key(user_);
    auto s = open_stream(port(), device_path(dev_) + "?access_token=" + key, {});
    EXPECT_TRUE(has_stream_headers(s->head()));
    // The key never appears in the logs.
    EXPECT_EQ(gw_->log().find(key), std::string::npos) << gw_->log_tail();
}

} // namespace
} // namespace ssegw::it

// auth api_key: the apikey:<sha256> hash record, the Bearer header, and the allow/deny decision.
#include "common/auth/api_key.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace ssegw::auth;
using ssegw::web::error_kind;

namespace {

using fields = std::vector<std::pair<std::string, std::string>>;

constexpr std::int64_t now = 1738000000;

// The scopes a stream request needs (any one of them).
std::vector<std::string_view> const stream_scopes = {"device:read", "analytics:read"};

key_record good_key(std::string scopes = "device:read") {
    return key_record_from_fields({{"userId", "u-1"}, {"scopes", std::move(scopes)}});
}

} // namespace

TEST(auth_key_record, not_found_when_hash_is_empty) {
    auto k = key_record_from_fields({});
    EXPECT_FALSE(k.found);
}

TEST(auth_key_record, found_with_user_and_scopes) {
    auto k = key_record_from_fields({{"userId", "u-42"}, {"scopes", "device:read analytics:read"}});
    EXPECT_TRUE(k.found);
    EXPECT_EQ(k.user_id, "u-42");
    EXPECT_EQ(k.scopes, "device:read analytics:read");
    EXPECT_FALSE(k.expires_at.has_value());
    EXPECT_FALSE(k.revoked);
    EXPECT_FALSE(k.malformed);
}

TEST(auth_key_record, revoked_flag) {
    EXPECT_TRUE(key_record_from_fields({{"userId", "u"}, {"revoked", "1"}}).revoked);
    EXPECT_FALSE(key_record_from_fields({{"userId", "u"}, {"revoked", "0"}}).revoked);
    EXPECT_FALSE(key_record_from_fields({{"userId", "u"}}).revoked);
}

TEST(auth_key_record, expires_at_parsed) {
    auto k = key_record_from_fields({{"userId", "u"}, {"expiresAt", "1738000600"}});
    ASSERT_TRUE(k.expires_at.has_value());
    EXPECT_EQ(*k.expires_at, 1738000600);
    EXPECT_FALSE(k.malformed);
}

TEST(auth_key_record, malformed_expires_at) {
    for (std::string const bad : {"soon", "12abc", "1.5", " 17", "0x10", "99999999999999999999999"}) {
        auto k = key_record_from_fields({{"userId", "u"}, {"scopes", "device:read"}, {"expiresAt", bad}});
        EXPECT_TRUE(k.malformed) << bad;
        EXPECT_FALSE(k.expires_at.has_value()) << bad;
        auto err = check_key(k, now, stream_scopes);
        ASSERT_TRUE(err.has_value()) << bad;
        EXPECT_EQ(err->kind, error_kind::unauthorized) << bad;
    }
}

TEST(auth_bearer, extracts_the_token) {
    EXPECT_EQ(bearer_token("Bearer abc123"), "abc123");
    EXPECT_EQ(bearer_token("Bearer sk_live_a+b/c=="), "sk_live_a+b/c==");
}

TEST(auth_bearer, scheme_is_case_insensitive) {
    EXPECT_EQ(bearer_token("bearer tok"), "tok");
    EXPECT_EQ(bearer_token("BEARER tok"), "tok");
    EXPECT_EQ(bearer_token("BeArEr tok"), "tok");
}

TEST(auth_bearer, tolerates_extra_spaces) {
    EXPECT_EQ(bearer_token("Bearer    tok"), "tok");
    EXPECT_EQ(bearer_token("  Bearer tok  "), "tok");
}

TEST(auth_bearer, rejects_missing_or_other_credentials) {
    for (std::string const bad : {"", "Bearer", "Bearer ", "Bearer    ", "Basic x", "Basic dXNlcjpwYXNz",
                                  "Bearerabc", "Token abc", "Bear abc", "Bearer a b", "Bearer tok extra"})
        EXPECT_FALSE(bearer_token(bad).has_value()) << '"' << bad << '"';
}

TEST(auth_check, unknown_key_is_unauthorized) {
    auto err = check_key(key_record_from_fields({}), now, stream_scopes);
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->kind, error_kind::unauthorized);
}

TEST(auth_check, revoked_key_is_unauthorized) {
    auto k = key_record_from_fields({{"userId", "u"}, {"scopes", "device:read"}, {"revoked", "1"}});
    auto err = check_key(k, now, stream_scopes);
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->kind, error_kind::unauthorized);
}

TEST(auth_check, expired_key_is_unauthorized) {
    for (std::int64_t at : {now - 100, now - 1, now}) {  // expiresAt <= now
        auto k = key_record_from_fields(
            {{"userId", "u"}, {"scopes", "device:read"}, {"expiresAt", std::to_string(at)}});
        auto err = check_key(k, now, stream_scopes);
        ASSERT_TRUE(err.has_value()) << at;
        EXPECT_EQ(err->kind, error_kind::unauthorized) << at;
    }
}

TEST(auth_check, not_yet_expired_key_is_allowed) {
    auto k = key_record_from_fields(
        {{"userId", "u"}, {"scopes", "device:read"}, {"expiresAt", std::to_string(now + 1)}});
    EXPECT_FALSE(check_key(k, now, stream_scopes).has_value());
}

TEST(auth_check, read_scopes_are_allowed) {
    EXPECT_FALSE(check_key(good_key("device:read"), now, stream_scopes).has_value());
    EXPECT_FALSE(check_key(good_key("analytics:read"), now, stream_scopes).has_value());
    EXPECT_FALSE(check_key(good_key("billing:read device:read"), now, stream_scopes).has_value());
    EXPECT_FALSE(check_key(good_key("device:write analytics:read billing:read"), now, stream_scopes).has_value());
    EXPECT_FALSE(check_key(good_key("billing:read  device:read"), now, stream_scopes).has_value());
}

TEST(auth_check, other_scopes_are_forbidden) {
    for (std::string const scopes : {"billing:read device:write", "device:readx", "xdevice:read", "device:rea",
                                     "DEVICE:READ", "", "device:write", "analytics:write"}) {
        auto err = check_key(good_key(scopes), now, stream_scopes);
        ASSERT_TRUE(err.has_value()) << scopes;
        EXPECT_EQ(err->kind, error_kind::forbidden) << scopes;
        EXPECT_EQ(err->message, "API key lacks device:read or analytics:read scope") << scopes;
    }
}

TEST(auth_check, required_scopes_are_the_callers) {
    std::vector<std::string_view> const publish = {"publish:write"};
    EXPECT_FALSE(check_key(good_key("device:read publish:write"), now, publish).has_value());
    auto err = check_key(good_key("device:read analytics:read"), now, publish);
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->kind, error_kind::forbidden);
    EXPECT_EQ(err->message, "API key lacks publish:write scope");
}

TEST(auth_check, empty_user_id_is_unauthorized) {
    for (fields const& f : {fields{{"userId", ""}, {"scopes", "device:read"}}, fields{{"scopes", "device:read"}}}) {
        auto err = check_key(key_record_from_fields(f), now, stream_scopes);
        ASSERT_TRUE(err.has_value());
        EXPECT_EQ(err->kind, error_kind::unauthorized);
    }
}

TEST(auth_check, revoked_beats_good_scopes_and_no_expiry) {
    auto k = key_record_from_fields({{"userId", "u"}, {"scopes", "device:read analytics:read"}, {"revoked", "1"},
                                     {"expiresAt", std::to_string(now + 3600)}});
    auto err = check_key(k, now, stream_scopes);
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->kind, error_kind::unauthorized);
}

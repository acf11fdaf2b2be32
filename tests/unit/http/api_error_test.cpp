// web api_error: the error table of the contract (status, code, metric reason, JSON body).
#include "common/http/api_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

using namespace ssegw::web;

namespace {

struct row {
    error_kind kind;
    unsigned status;
    char const* code;
    char const* reason;
    bool transient;
};

constexpr row table[] = {
    {error_kind::unauthorized, 401, "UNAUTHORIZED", "unauthorized", false},
    {error_kind::forbidden, 403, "FORBIDDEN", "forbidden", false},
    {error_kind::not_found, 404, "NOT_FOUND", "not_found", false},
    {error_kind::method_not_allowed, 405, "METHOD_NOT_ALLOWED", "bad_request", false},
    {error_kind::too_many, 429, "TOO_MANY_CONNECTIONS", "too_many", true},
    {error_kind::unavailable, 503, "SERVICE_UNAVAILABLE", "unavailable", true},
    {error_kind::bad_request, 400, "BAD_REQUEST", "bad_request", false},
};

} // namespace

TEST(api_error_table, status_of_every_kind) {
    for (auto const& r : table) EXPECT_EQ(status_of(r.kind), r.status) << r.code;
}

TEST(api_error_table, code_of_every_kind) {
    for (auto const& r : table) EXPECT_EQ(code_of(r.kind), r.code) << r.status;
}

TEST(api_error_table, metric_reason_of_every_kind) {
    for (auto const& r : table) EXPECT_EQ(metric_reason_of(r.kind), r.reason) << r.code;
}

TEST(api_error_table, only_429_and_503_are_transient) {
    for (auto const& r : table) EXPECT_EQ(is_transient(r.kind), r.transient) << r.code;
}

TEST(api_error_body, is_json_with_code_and_message) {
    for (auto const& r : table) {
        auto body = error_body({r.kind, "something went wrong"});
        auto j = nlohmann::json::parse(body, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << body;
        ASSERT_TRUE(j.is_object());
        ASSERT_EQ(j.size(), 1u);
        ASSERT_TRUE(j.contains("error"));
        auto const& e = j["error"];
        ASSERT_TRUE(e.is_object());
        EXPECT_EQ(e.size(), 2u);
        EXPECT_EQ(e.value("code", ""), r.code);
        EXPECT_EQ(e.value("message", ""), "something went wrong");
    }
}

TEST(api_error_body, is_one_line) {
    auto body = error_body({error_kind::not_found, "device not found"});
    EXPECT_EQ(body.find('\n'), std::string::npos);
    EXPECT_EQ(body, R"({"error":{"code":"NOT_FOUND","message":"device not found"}})");
}

TEST(api_error_body, escapes_quotes_backslashes_and_controls) {
    std::string const msg = "bad \"Last-Event-ID\" \\ value\nnext\r\tline";
    auto body = error_body({error_kind::bad_request, msg});
    EXPECT_NE(body.find(R"(bad \"Last-Event-ID\")"), std::string::npos) << body;
    EXPECT_EQ(body.find('\n'), std::string::npos) << body;  // an SSE data line must stay one line
    EXPECT_EQ(body.find('\r'), std::string::npos) << body;
    auto j = nlohmann::json::parse(body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << body;
    EXPECT_EQ(j["error"]["message"], msg);
}

TEST(api_error_body, invalid_utf8_in_message_still_gives_json) {
    auto body = error_body({error_kind::bad_request, "bad \xff\xfe bytes"});
    auto j = nlohmann::json::parse(body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << body;
    EXPECT_EQ(j["error"]["code"], "BAD_REQUEST");
}

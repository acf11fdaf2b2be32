// web target: origin-form parsing (decoded segments and query), log redaction of secret
// parameters, and Accept: text/event-stream.
#include "common/http/target.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

using namespace ssegw::web;

namespace {

using segments = std::vector<std::string>;
using query = std::vector<std::pair<std::string, std::string>>;

} // namespace

TEST(target_parse, segments_are_split_and_decoded) {
    auto t = parse_target("/api/v1/devices/%41BC-1/analysis/stream");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->segments, (segments{"api", "v1", "devices", "ABC-1", "analysis", "stream"}));
    EXPECT_TRUE(t->query.empty());
    EXPECT_EQ(parse_target("/d/caf%C3%A9")->segments, (segments{"d", "caf\xc3\xa9"}));
    EXPECT_EQ(parse_target("/d/a%3Ab")->segments, (segments{"d", "a:b"}));
    EXPECT_EQ(parse_target("/d/a%3ab")->segments, (segments{"d", "a:b"}));
}

TEST(target_parse, trailing_slash_is_ignored_but_empty_segments_are_kept) {
    EXPECT_EQ(parse_target("/a/b/")->segments, parse_target("/a/b")->segments);
    EXPECT_EQ(parse_target("/a//b")->segments, (segments{"a", "", "b"}));
    EXPECT_TRUE(parse_target("/")->segments.empty());
}

TEST(target_parse, query_params_are_decoded_in_order) {
    auto t = parse_target("/x?access_token=sk%2Dlive%3D%3D&lastEventId=1738000000000-5&flag");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->segments, (segments{"x"}));
    EXPECT_EQ(t->query, (query{{"access_token", "sk-live=="}, {"lastEventId", "1738000000000-5"}, {"flag", ""}}));
    EXPECT_EQ(t->param("access_token"), "sk-live==");
    EXPECT_EQ(t->param("lastEventId"), "1738000000000-5");
    EXPECT_FALSE(t->param("ticket").has_value());
}

TEST(target_parse, first_query_param_wins) {
    auto t = parse_target("/x?access_token=first&lastEventId=1-0&access_token=second&lastEventId=2-0");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->param("access_token"), "first");
    EXPECT_EQ(t->param("lastEventId"), "1-0");
}

TEST(target_parse, percent_encoded_key_names_are_decoded) {
    auto t = parse_target("/x?access%5Ftoken=sk");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->param("access_token"), "sk");
}

TEST(target_parse, malformed_targets_are_refused) {
    for (auto t : {"", "api/v1/devices/cam-1/analysis/stream", "*", "http://example.com/healthz", "/a b",
                   "/%zz", "/api/v1/devices/%4/analysis/stream", "/healthz?a=%G0"})
        EXPECT_FALSE(parse_target(t).has_value()) << '"' << t << '"';
}

TEST(target_redact, replaces_access_token_value) {
    EXPECT_EQ(redact_target("/api/v1/devices/cam-1/analysis/stream?access_token=sk_live_secret&lastEventId=1-0"),
              "/api/v1/devices/cam-1/analysis/stream?access_token=REDACTED&lastEventId=1-0");
}

TEST(target_redact, keeps_other_params_and_their_order) {
    EXPECT_EQ(redact_target("/x?a=1&access_token=secret&b=two%20words"),
              "/x?a=1&access_token=REDACTED&b=two%20words");
}

TEST(target_redact, redacts_every_occurrence) {
    auto out = redact_target("/x?access_token=one&access_token=two");
    EXPECT_EQ(out, "/x?access_token=REDACTED&access_token=REDACTED");
    EXPECT_EQ(out.find("one"), std::string::npos);
    EXPECT_EQ(out.find("two"), std::string::npos);
}

TEST(target_redact, redacts_percent_encoded_key_name) {
    // parse_target decodes "access%5Ftoken" into access_token, so the log must hide it too.
    auto out = redact_target("/x?access%5Ftoken=sk_secret");
    EXPECT_EQ(out.find("sk_secret"), std::string::npos) << out;
}

TEST(target_redact, redacts_stream_ticket) {
    auto out = redact_target("/api/v1/devices/analysis/stream/all?ticket=tk_secret");
    EXPECT_EQ(out.find("tk_secret"), std::string::npos) << out;
}

TEST(target_redact, every_secret_param_is_redacted) {
    for (auto name : secret_params) {
        auto out = redact_target("/x?" + std::string(name) + "=s3cr3t&a=1");
        EXPECT_EQ(out.find("s3cr3t"), std::string::npos) << out;
        EXPECT_NE(out.find("a=1"), std::string::npos) << out;
    }
}

TEST(target_redact, targets_without_token_are_unchanged) {
    EXPECT_EQ(redact_target("/healthz"), "/healthz");
    EXPECT_EQ(redact_target("/x?lastEventId=1-0"), "/x?lastEventId=1-0");
}

TEST(target_redact, unparsable_target_leaks_nothing) {
    auto out = redact_target("/x?access_token=sk secret");
    EXPECT_EQ(out.find("sk"), std::string::npos) << out;
    EXPECT_EQ(out.find("secret"), std::string::npos) << out;
}

TEST(target_accept, event_stream_is_recognised_in_any_case_and_in_a_list) {
    EXPECT_TRUE(accepts_event_stream("text/event-stream"));
    EXPECT_TRUE(accepts_event_stream("Text/Event-Stream"));
    EXPECT_TRUE(accepts_event_stream("application/json, text/event-stream;q=0.9"));
    EXPECT_FALSE(accepts_event_stream(""));
    EXPECT_FALSE(accepts_event_stream("*/*"));
    EXPECT_FALSE(accepts_event_stream("text/event"));
    EXPECT_FALSE(accepts_event_stream("application/json"));
}

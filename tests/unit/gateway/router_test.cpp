// gateway router: request targets to routes, query credentials, and log redaction.
#include "gateway/router.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace ssegw::gateway;

TEST(router_parse, device_stream) {
    auto r = parse_target("/api/v1/devices/cam-1/analysis/stream");
    EXPECT_EQ(r.kind, route_kind::device_stream);
    EXPECT_EQ(r.device_id, "cam-1");
    EXPECT_TRUE(r.is_stream());
    EXPECT_FALSE(r.access_token.has_value());
    EXPECT_FALSE(r.last_event_id.has_value());
}

TEST(router_parse, device_stream_with_trailing_slash) {
    auto r = parse_target("/api/v1/devices/cam-1/analysis/stream/");
    EXPECT_EQ(r.kind, route_kind::device_stream);
    EXPECT_EQ(r.device_id, "cam-1");
}

TEST(router_parse, all_stream) {
    for (auto t : {"/api/v1/devices/analysis/stream/all", "/api/v1/devices/analysis/stream/all/"}) {
        auto r = parse_target(t);
        EXPECT_EQ(r.kind, route_kind::all_stream) << t;
        EXPECT_TRUE(r.is_stream());
        EXPECT_TRUE(r.device_id.empty());
    }
}

TEST(router_parse, percent_encoded_device_id_is_decoded) {
    EXPECT_EQ(parse_target("/api/v1/devices/%41BC-1/analysis/stream").device_id, "ABC-1");
    EXPECT_EQ(parse_target("/api/v1/devices/caf%C3%A9/analysis/stream").device_id, "caf\xc3\xa9");
    EXPECT_EQ(parse_target("/api/v1/devices/a%3Ab/analysis/stream").device_id, "a:b");
    EXPECT_EQ(parse_target("/api/v1/devices/a%3ab/analysis/stream").kind, route_kind::device_stream);
}

TEST(router_parse, query_params_are_decoded) {
    auto r = parse_target("/api/v1/devices/cam-1/analysis/stream?access_token=sk%2Dlive%3D%3D&lastEventId=1738000000000-5");
    EXPECT_EQ(r.kind, route_kind::device_stream);
    ASSERT_TRUE(r.access_token.has_value());
    EXPECT_EQ(*r.access_token, "sk-live==");
    ASSERT_TRUE(r.last_event_id.has_value());
    EXPECT_EQ(*r.last_event_id, "1738000000000-5");
}

TEST(router_parse, first_query_param_wins) {
    auto r = parse_target("/api/v1/devices/analysis/stream/all?access_token=first&lastEventId=1-0"
                          "&access_token=second&lastEventId=2-0");
    EXPECT_EQ(r.kind, route_kind::all_stream);
    EXPECT_EQ(r.access_token, "first");
    EXPECT_EQ(r.last_event_id, "1-0");
}

TEST(router_parse, other_query_params_are_ignored) {
    auto r = parse_target("/api/v1/devices/cam-1/analysis/stream?foo=bar&x");
    EXPECT_EQ(r.kind, route_kind::device_stream);
    EXPECT_FALSE(r.access_token.has_value());
    EXPECT_FALSE(r.last_event_id.has_value());
}

TEST(router_parse, operations_endpoints) {
    EXPECT_EQ(parse_target("/healthz").kind, route_kind::healthz);
    EXPECT_EQ(parse_target("/readyz").kind, route_kind::readyz);
    EXPECT_EQ(parse_target("/metrics").kind, route_kind::metrics);
    EXPECT_EQ(parse_target("/metrics?x=1").kind, route_kind::metrics);
    EXPECT_FALSE(parse_target("/healthz").is_stream());
}

TEST(router_parse, unknown_paths_are_not_found) {
    for (auto t : {"/", "/api", "/api/v1/devices", "/api/v1/devices/cam-1", "/api/v1/devices/cam-1/analysis",
                   "/api/v1/devices/cam-1/analysis/stream/extra", "/api/v2/devices/cam-1/analysis/stream",
                   "/api/v1/devices/analysis/stream", "/api/v1/devices/analysis/stream/some",
                   "/API/V1/devices/cam-1/analysis/stream", "/healthzz", "/metrics/x", "/favicon.ico"}) {
        auto r = parse_target(t);
        EXPECT_EQ(r.kind, route_kind::not_found) << t;
        EXPECT_FALSE(r.is_stream()) << t;
    }
}

TEST(router_parse, malformed_targets_are_bad_target) {
    for (auto t : {"", "api/v1/devices/cam-1/analysis/stream", "*", "http://example.com/healthz", "/a b",
                   "/%zz", "/api/v1/devices/%4/analysis/stream", "/healthz?a=%G0"}) {
        EXPECT_EQ(parse_target(t).kind, route_kind::bad_target) << '"' << t << '"';
    }
}

TEST(router_parse, device_id_with_control_char_is_not_found) {
    for (auto t : {"/api/v1/devices/cam%001/analysis/stream", "/api/v1/devices/cam%0A1/analysis/stream",
                   "/api/v1/devices/cam%0D1/analysis/stream", "/api/v1/devices/cam%011/analysis/stream",
                   "/api/v1/devices/cam%7F/analysis/stream", "/api/v1/devices/cam%201/analysis/stream"})
        EXPECT_EQ(parse_target(t).kind, route_kind::not_found) << t;
}

TEST(router_parse, device_id_length_limit) {
    std::string const ok(200, 'd');
    auto r = parse_target("/api/v1/devices/" + ok + "/analysis/stream");
    EXPECT_EQ(r.kind, route_kind::device_stream);
    EXPECT_EQ(r.device_id, ok);
    EXPECT_EQ(parse_target("/api/v1/devices/" + std::string(201, 'd') + "/analysis/stream").kind,
              route_kind::not_found);
    // The limit applies to the decoded bytes: 67 encoded "é" are 134 bytes, fine; 101 are 202.
    std::string enc67, enc101;
    for (int i = 0; i < 67; ++i) enc67 += "%C3%A9";
    for (int i = 0; i < 101; ++i) enc101 += "%C3%A9";
    EXPECT_EQ(parse_target("/api/v1/devices/" + enc67 + "/analysis/stream").kind, route_kind::device_stream);
    EXPECT_EQ(parse_target("/api/v1/devices/" + enc101 + "/analysis/stream").kind, route_kind::not_found);
}

TEST(router_parse, empty_device_id_is_not_found) {
    EXPECT_EQ(parse_target("/api/v1/devices//analysis/stream").kind, route_kind::not_found);
}

TEST(router_redact, replaces_access_token_value) {
    EXPECT_EQ(redact_target("/api/v1/devices/cam-1/analysis/stream?access_token=sk_live_secret&lastEventId=1-0"),
              "/api/v1/devices/cam-1/analysis/stream?access_token=REDACTED&lastEventId=1-0");
}

TEST(router_redact, keeps_other_params_and_their_order) {
    EXPECT_EQ(redact_target("/x?a=1&access_token=secret&b=two%20words"),
              "/x?a=1&access_token=REDACTED&b=two%20words");
}

TEST(router_redact, redacts_every_occurrence) {
    auto out = redact_target("/x?access_token=one&access_token=two");
    EXPECT_EQ(out, "/x?access_token=REDACTED&access_token=REDACTED");
    EXPECT_EQ(out.find("one"), std::string::npos);
    EXPECT_EQ(out.find("two"), std::string::npos);
}

TEST(router_redact, redacts_percent_encoded_key_name) {
    // The router decodes "access%5Ftoken" into access_token, so the log must hide it too.
    auto out = redact_target("/x?access%5Ftoken=sk_secret");
    EXPECT_EQ(out.find("sk_secret"), std::string::npos) << out;
}

TEST(router_redact, redacts_stream_ticket) {
    auto out = redact_target("/api/v1/devices/analysis/stream/all?ticket=tk_secret");
    EXPECT_EQ(out.find("tk_secret"), std::string::npos) << out;
}

TEST(router_redact, targets_without_token_are_unchanged) {
    EXPECT_EQ(redact_target("/healthz"), "/healthz");
    EXPECT_EQ(redact_target("/x?lastEventId=1-0"), "/x?lastEventId=1-0");
}

TEST(router_redact, unparsable_target_leaks_nothing) {
    auto out = redact_target("/x?access_token=sk secret");
    EXPECT_EQ(out.find("sk"), std::string::npos) << out;
    EXPECT_EQ(out.find("secret"), std::string::npos) << out;
}

TEST(router_accept, event_stream_is_recognised_in_any_case_and_in_a_list) {
    EXPECT_TRUE(accepts_event_stream("text/event-stream"));
    EXPECT_TRUE(accepts_event_stream("Text/Event-Stream"));
    EXPECT_TRUE(accepts_event_stream("application/json, text/event-stream;q=0.9"));
    EXPECT_FALSE(accepts_event_stream(""));
    EXPECT_FALSE(accepts_event_stream("*/*"));
    EXPECT_FALSE(accepts_event_stream("text/event"));
    EXPECT_FALSE(accepts_event_stream("application/json"));
}

// web route_table: patterns, parameters, first match, Allow lists; and the gateway's table (stream
// routes + ops endpoints): which route each request target reaches.
#include "common/http/route_table.hpp"

#include "tests/unit/support/gateway_routes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ssegw::web;
using namespace ssegw::test;

namespace {

handler const none = [](exchange&, path_params const&) {};

std::optional<route_table::match> find_in(route_table const& t, std::string_view target) {
    auto parsed = parse_target(target);
    if (!parsed) return std::nullopt;
    return t.find(*parsed);
}

} // namespace

// --- route_table itself ---

TEST(route_table, pattern_segments_and_parameters) {
    route_table t;
    t.add("/a/{x}/b/{y}", "GET", "Authorization", none);
    auto m = find_in(t, "/a/one/b/two");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->r->pattern, (std::vector<std::string>{"a", "{}", "b", "{}"}));
    EXPECT_EQ(m->r->methods, "GET");
    EXPECT_EQ(m->r->preflight_headers, "Authorization");
    EXPECT_EQ(m->params, (path_params{"one", "two"}));
    EXPECT_FALSE(find_in(t, "/a/one/b"));
    EXPECT_FALSE(find_in(t, "/a/one/b/two/three"));
    EXPECT_FALSE(find_in(t, "/a/one/c/two"));
    EXPECT_FALSE(find_in(t, "/a//b/two"));  // a parameter is never empty
}

TEST(route_table, first_added_match_wins) {
    route_table t;
    t.add("/d/all", "GET", "", none);
    t.add("/d/{id}", "POST", "", none);
    auto all = find_in(t, "/d/all");
    ASSERT_TRUE(all);
    EXPECT_EQ(all->r->methods, "GET");
    EXPECT_TRUE(all->params.empty());
    auto other = find_in(t, "/d/x");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->r->methods, "POST");
    EXPECT_EQ(other->params, (path_params{"x"}));
}

TEST(route_table, empty_table_and_root) {
    route_table t;
    EXPECT_FALSE(find_in(t, "/"));
    t.add("/x", "GET", "", none);
    EXPECT_FALSE(find_in(t, "/"));
    EXPECT_TRUE(find_in(t, "/x"));
    EXPECT_TRUE(find_in(t, "/x/"));
}

TEST(route_table, allows_reads_the_comma_separated_list) {
    EXPECT_TRUE(route_table::allows("GET, HEAD, OPTIONS", "GET"));
    EXPECT_TRUE(route_table::allows("GET, HEAD, OPTIONS", "HEAD"));
    EXPECT_TRUE(route_table::allows("GET, HEAD, OPTIONS", "OPTIONS"));
    EXPECT_TRUE(route_table::allows("POST,OPTIONS", "OPTIONS"));
    EXPECT_FALSE(route_table::allows("GET, HEAD, OPTIONS", "POST"));
    EXPECT_FALSE(route_table::allows("GET, HEAD", "OPTIONS"));
    EXPECT_FALSE(route_table::allows("GET, HEAD", "GE"));
    EXPECT_FALSE(route_table::allows("GET, HEAD", "get"));
    EXPECT_FALSE(route_table::allows("", "GET"));
}

// --- the gateway's routes ---

TEST(gateway_routes, device_stream) {
    auto m = match_of("/api/v1/devices/cam-1/analysis/stream");
    ASSERT_TRUE(m);
    EXPECT_EQ(path_of(*m->r), device_stream);
    EXPECT_EQ(m->r->methods, "GET, HEAD, OPTIONS");
    EXPECT_EQ(m->params, (path_params{"cam-1"}));
}

TEST(gateway_routes, device_stream_with_trailing_slash) {
    auto m = match_of("/api/v1/devices/cam-1/analysis/stream/");
    ASSERT_TRUE(m);
    EXPECT_EQ(path_of(*m->r), device_stream);
    EXPECT_EQ(m->params, (path_params{"cam-1"}));
}

TEST(gateway_routes, all_stream) {
    for (auto t : {"/api/v1/devices/analysis/stream/all", "/api/v1/devices/analysis/stream/all/"}) {
        auto m = match_of(t);
        ASSERT_TRUE(m) << t;
        EXPECT_EQ(path_of(*m->r), all_stream) << t;
        EXPECT_EQ(m->r->methods, "GET, HEAD, OPTIONS") << t;
        EXPECT_TRUE(m->params.empty()) << t;
    }
}

TEST(gateway_routes, stream_preflight_allows_the_stream_headers) {
    for (auto t : {"/api/v1/devices/cam-1/analysis/stream", "/api/v1/devices/analysis/stream/all"}) {
        auto m = match_of(t);
        ASSERT_TRUE(m) << t;
        for (auto h : {"Authorization", "Last-Event-ID"})
            EXPECT_NE(m->r->preflight_headers.find(h), std::string::npos) << t << ' ' << h;
    }
}

TEST(gateway_routes, percent_encoded_device_id_is_decoded) {
    auto param = [](std::string_view t) {
        auto m = match_of(t);
        return m && path_of(*m->r) == device_stream && m->params.size() == 1 ? m->params[0] : "<no device route>";
    };
    EXPECT_EQ(param("/api/v1/devices/%41BC-1/analysis/stream"), "ABC-1");
    EXPECT_EQ(param("/api/v1/devices/caf%C3%A9/analysis/stream"), "caf\xc3\xa9");
    EXPECT_EQ(param("/api/v1/devices/a%3Ab/analysis/stream"), "a:b");
    EXPECT_EQ(route_of("/api/v1/devices/a%3ab/analysis/stream"), device_stream);
}

TEST(gateway_routes, query_does_not_change_the_route) {
    auto m = match_of("/api/v1/devices/cam-1/analysis/stream?access_token=sk%2Dlive%3D%3D&lastEventId=1738000000000-5");
    ASSERT_TRUE(m);
    EXPECT_EQ(path_of(*m->r), device_stream);
    EXPECT_EQ(m->params, (path_params{"cam-1"}));
    EXPECT_EQ(route_of("/api/v1/devices/analysis/stream/all?access_token=first&lastEventId=1-0"
                       "&access_token=second&lastEventId=2-0"),
              all_stream);
    EXPECT_EQ(route_of("/api/v1/devices/cam-1/analysis/stream?foo=bar&x"), device_stream);
}

TEST(gateway_routes, operations_endpoints) {
    EXPECT_EQ(route_of("/healthz"), "/healthz");
    EXPECT_EQ(route_of("/readyz"), "/readyz");
    EXPECT_EQ(route_of("/metrics"), "/metrics");
    EXPECT_EQ(route_of("/metrics?x=1"), "/metrics");
    for (auto t : {"/healthz", "/readyz", "/metrics"}) {
        auto m = match_of(t);
        ASSERT_TRUE(m) << t;
        EXPECT_EQ(m->r->methods, "GET, HEAD") << t;  // not a stream: no OPTIONS, no preflight
        EXPECT_TRUE(m->params.empty()) << t;
        EXPECT_NE(path_of(*m->r), device_stream);
        EXPECT_NE(path_of(*m->r), all_stream);
    }
}

TEST(gateway_routes, stream_tickets) {
    for (auto t : {"/api/v1/stream-tickets", "/api/v1/stream-tickets/"}) {
        auto m = match_of(t);
        ASSERT_TRUE(m) << t;
        EXPECT_EQ(path_of(*m->r), stream_tickets) << t;
        EXPECT_EQ(m->r->methods, "POST, OPTIONS") << t;
    }
    EXPECT_EQ(route_of("/api/v1/stream-tickets/x"), not_found);
}

TEST(gateway_routes, unknown_paths_are_not_found) {
    for (auto t : {"/", "/api", "/api/v1/devices", "/api/v1/devices/cam-1", "/api/v1/devices/cam-1/analysis",
                   "/api/v1/devices/cam-1/analysis/stream/extra", "/api/v2/devices/cam-1/analysis/stream",
                   "/api/v1/devices/analysis/stream", "/api/v1/devices/analysis/stream/some",
                   "/API/V1/devices/cam-1/analysis/stream", "/healthzz", "/metrics/x", "/favicon.ico"})
        EXPECT_EQ(route_of(t), not_found) << t;
}

TEST(gateway_routes, malformed_targets_are_bad_target) {
    for (auto t : {"", "api/v1/devices/cam-1/analysis/stream", "*", "http://example.com/healthz", "/a b",
                   "/%zz", "/api/v1/devices/%4/analysis/stream", "/healthz?a=%G0"})
        EXPECT_EQ(route_of(t), bad_target) << '"' << t << '"';
}

TEST(gateway_routes, empty_device_id_is_not_found) {
    EXPECT_EQ(route_of("/api/v1/devices//analysis/stream"), not_found);
}

// Device ids the stream endpoint refuses with 404 (control characters, too long) still reach the
// device route; ids::valid_device_id decides (stream_request_test).
TEST(gateway_routes, invalid_device_ids_still_reach_the_device_route) {
    for (auto t : {"/api/v1/devices/cam%001/analysis/stream", "/api/v1/devices/cam%201/analysis/stream"})
        EXPECT_EQ(route_of(t), device_stream) << t;
    EXPECT_EQ(route_of("/api/v1/devices/" + std::string(201, 'd') + "/analysis/stream"), device_stream);
}

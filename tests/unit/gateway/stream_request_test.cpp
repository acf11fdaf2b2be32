// gateway stream_request: the query credentials and resume point of a stream request, and which
// device ids a stream accepts (an id reaching the device route but refused here is a 404).
#include "common/ids/device_id.hpp"
#include "gateway/stream_request.hpp"

#include "tests/unit/support/gateway_routes.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace ssegw::gateway;
using ssegw::test::device_stream;
using ssegw::test::match_of;
using ssegw::test::path_of;

namespace {

stream_query query_of(std::string_view t) {
    auto parsed = ssegw::web::parse_target(t);
    EXPECT_TRUE(parsed) << t;
    return parsed ? read_stream_query(*parsed) : stream_query{};
}

/// Whether `t` reaches the device route with an id the stream endpoint accepts (else it answers 404).
bool device_stream_accepted(std::string const& t) {
    auto m = match_of(t);
    return m && path_of(*m->r) == device_stream && m->params.size() == 1 && ssegw::ids::valid_device_id(m->params[0]);
}

/// Whether `t` reaches the device route with an id the stream endpoint refuses with 404.
bool device_stream_refused(std::string const& t) {
    auto m = match_of(t);
    return m && path_of(*m->r) == device_stream && m->params.size() == 1 && !ssegw::ids::valid_device_id(m->params[0]);
}

} // namespace

TEST(stream_query, none_without_query) {
    auto q = query_of("/api/v1/devices/cam-1/analysis/stream");
    EXPECT_FALSE(q.access_token.has_value());
    EXPECT_FALSE(q.ticket.has_value());
    EXPECT_FALSE(q.last_event_id.has_value());
}

TEST(stream_query, query_params_are_decoded) {
    auto q = query_of("/api/v1/devices/cam-1/analysis/stream?access_token=sk%2Dlive%3D%3D&lastEventId=1738000000000-5");
    ASSERT_TRUE(q.access_token.has_value());
    EXPECT_EQ(*q.access_token, "sk-live==");
    ASSERT_TRUE(q.last_event_id.has_value());
    EXPECT_EQ(*q.last_event_id, "1738000000000-5");
    EXPECT_FALSE(q.ticket.has_value());
}

TEST(stream_query, first_query_param_wins) {
    auto q = query_of("/api/v1/devices/analysis/stream/all?access_token=first&lastEventId=1-0"
                      "&access_token=second&lastEventId=2-0");
    EXPECT_EQ(q.access_token, "first");
    EXPECT_EQ(q.last_event_id, "1-0");
}

TEST(stream_query, other_query_params_are_ignored) {
    auto q = query_of("/api/v1/devices/cam-1/analysis/stream?foo=bar&x");
    EXPECT_FALSE(q.access_token.has_value());
    EXPECT_FALSE(q.ticket.has_value());
    EXPECT_FALSE(q.last_event_id.has_value());
}

TEST(stream_query, ticket_parameter) {
    auto q = query_of("/api/v1/devices/cam-1/analysis/stream?ticket=abc&lastEventId=1-0");
    EXPECT_EQ(q.ticket, "abc");
    EXPECT_EQ(q.last_event_id, "1-0");
    EXPECT_FALSE(q.access_token);
}

TEST(stream_device_id, ordinary_ids_are_accepted) {
    EXPECT_TRUE(ssegw::ids::valid_device_id("cam-1"));
    EXPECT_TRUE(ssegw::ids::valid_device_id("a:b"));
    EXPECT_TRUE(ssegw::ids::valid_device_id("caf\xc3\xa9"));
    EXPECT_TRUE(device_stream_accepted("/api/v1/devices/cam-1/analysis/stream"));
    EXPECT_TRUE(device_stream_accepted("/api/v1/devices/%41BC-1/analysis/stream"));
}

TEST(stream_device_id, control_char_or_space_is_not_found) {
    for (auto t : {"/api/v1/devices/cam%001/analysis/stream", "/api/v1/devices/cam%0A1/analysis/stream",
                   "/api/v1/devices/cam%0D1/analysis/stream", "/api/v1/devices/cam%011/analysis/stream",
                   "/api/v1/devices/cam%7F/analysis/stream", "/api/v1/devices/cam%201/analysis/stream"})
        EXPECT_TRUE(device_stream_refused(t)) << t;
    EXPECT_FALSE(ssegw::ids::valid_device_id(std::string("cam\0" "1", 5)));
    EXPECT_FALSE(ssegw::ids::valid_device_id("cam 1"));
    EXPECT_FALSE(ssegw::ids::valid_device_id("cam\x7f"));
}

TEST(stream_device_id, length_limit) {
    std::string const ok(200, 'd');
    auto m = match_of("/api/v1/devices/" + ok + "/analysis/stream");
    ASSERT_TRUE(m);
    EXPECT_EQ(path_of(*m->r), device_stream);
    ASSERT_EQ(m->params.size(), 1u);
    EXPECT_EQ(m->params[0], ok);
    EXPECT_TRUE(ssegw::ids::valid_device_id(ok));
    EXPECT_TRUE(device_stream_refused("/api/v1/devices/" + std::string(201, 'd') + "/analysis/stream"));
    // The limit applies to the decoded bytes: 67 encoded "é" are 134 bytes, fine; 101 are 202.
    std::string enc67, enc101;
    for (int i = 0; i < 67; ++i) enc67 += "%C3%A9";
    for (int i = 0; i < 101; ++i) enc101 += "%C3%A9";
    EXPECT_TRUE(device_stream_accepted("/api/v1/devices/" + enc67 + "/analysis/stream"));
    EXPECT_TRUE(device_stream_refused("/api/v1/devices/" + enc101 + "/analysis/stream"));
}

TEST(stream_device_id, empty_id_is_refused) {
    EXPECT_FALSE(ssegw::ids::valid_device_id(""));
    EXPECT_FALSE(match_of("/api/v1/devices//analysis/stream"));  // and reaches no route at all
}

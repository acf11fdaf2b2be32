// Stream tickets: the ticket's shape and randomness, the POST body, the Redis record, the device
// limit, and the Redis commands (checked against a real server in the integration tests).
#include "gateway/ticket_rules.hpp"

#include "common/sha256.hpp"
#include "gateway/config.hpp"
#include "gateway/stream_request.hpp"
#include "tests/unit/support/gateway_routes.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace ssegw::gateway;
using ssegw::web::api_error;
using ssegw::web::error_kind;
using namespace std::chrono_literals;

namespace {

bool is_error(std::variant<api_error, ticket_body> const& v, error_kind k) {
    auto* e = std::get_if<api_error>(&v);
    return e && e->kind == k && !e->message.empty();
}

ticket_record record(std::optional<std::string> device = std::nullopt) {
    std::vector<std::pair<std::string, std::string>> f{
        {"keyHash", std::string(64, 'a')}, {"userId", "u-1"}, {"scopes", "device:read"}};
    if (device) f.emplace_back("deviceId", *device);
    return ticket_record_from_fields(f);
}

} // namespace

TEST(ticket_new, is_64_lowercase_hex_and_fresh_each_time) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        auto t = new_ticket();
        ASSERT_EQ(t.size(), 64u);
        EXPECT_TRUE(well_formed_ticket(t)) << t;
        EXPECT_TRUE(seen.insert(t).second) << "repeated ticket " << t;
    }
}

TEST(ticket_shape, refuses_anything_but_64_lowercase_hex) {
    EXPECT_FALSE(well_formed_ticket(""));
    EXPECT_FALSE(well_formed_ticket("nope"));
    EXPECT_FALSE(well_formed_ticket(std::string(63, 'a')));
    EXPECT_FALSE(well_formed_ticket(std::string(65, 'a')));
    EXPECT_FALSE(well_formed_ticket(std::string(64, 'A')));
    EXPECT_FALSE(well_formed_ticket(std::string(63, 'a') + "g"));
    EXPECT_TRUE(well_formed_ticket(std::string(32, '0') + std::string(32, 'f')));
}

TEST(ticket_redis_key, is_the_sha256_never_the_ticket) {
    auto t = new_ticket();
    auto k = ticket_redis_key(t);
    EXPECT_EQ(k, "ticket:" + ssegw::sha256_hex(t));
    EXPECT_EQ(k.find(t), std::string::npos);
}

TEST(ticket_body_parse, empty_or_blank_body_is_any_stream) {
    for (auto body : {"", " ", "\r\n"}) {
        auto v = parse_ticket_body("", body);
        ASSERT_TRUE(std::holds_alternative<ticket_body>(v)) << body;
        EXPECT_FALSE(std::get<ticket_body>(v).device_id);
    }
}

TEST(ticket_body_parse, object_with_or_without_device) {
    auto v = parse_ticket_body("application/json", R"({"deviceId":"cam-1"})");
    ASSERT_TRUE(std::holds_alternative<ticket_body>(v));
    EXPECT_EQ(std::get<ticket_body>(v).device_id, "cam-1");
    v = parse_ticket_body("Application/JSON; charset=utf-8", R"({})");
    ASSERT_TRUE(std::holds_alternative<ticket_body>(v));
    EXPECT_FALSE(std::get<ticket_body>(v).device_id);
    v = parse_ticket_body("application/json", R"({"deviceId":null,"other":1})");
    ASSERT_TRUE(std::holds_alternative<ticket_body>(v));
    EXPECT_FALSE(std::get<ticket_body>(v).device_id);
}

TEST(ticket_body_parse, refuses_bad_bodies) {
    EXPECT_TRUE(is_error(parse_ticket_body("text/plain", R"({"deviceId":"d"})"), error_kind::bad_request));
    EXPECT_TRUE(is_error(parse_ticket_body("", R"({"deviceId":"d"})"), error_kind::bad_request));
    EXPECT_TRUE(is_error(parse_ticket_body("application/jsonx", "{}"), error_kind::bad_request));
    EXPECT_TRUE(is_error(parse_ticket_body("application/json", "{"), error_kind::bad_request));
    EXPECT_TRUE(is_error(parse_ticket_body("application/json", "[]"), error_kind::bad_request));
    EXPECT_TRUE(is_error(parse_ticket_body("application/json", "\"d\""), error_kind::bad_request));
    EXPECT_TRUE(is_error(parse_ticket_body("application/json", R"({"deviceId":5})"), error_kind::bad_request));
    EXPECT_TRUE(is_error(parse_ticket_body("application/json", R"({"deviceId":""})"), error_kind::bad_request));
    EXPECT_TRUE(is_error(parse_ticket_body("application/json", R"({"deviceId":"a b"})"), error_kind::bad_request));
    EXPECT_TRUE(is_error(parse_ticket_body("application/json", R"({"deviceId":")" + std::string(201, 'x') + "\"}"),
                         error_kind::bad_request));
}

TEST(ticket_body_parse, limit_is_1_kib) {
    std::string pad(ticket_body_limit - 2, ' ');
    EXPECT_TRUE(std::holds_alternative<ticket_body>(parse_ticket_body("application/json", "{" + pad + "}")));
    EXPECT_TRUE(is_error(parse_ticket_body("application/json", "{ " + pad + "}"), error_kind::bad_request));
}

TEST(ticket_record_parse, fields_and_missing) {
    EXPECT_FALSE(ticket_record_from_fields({}).found);
    EXPECT_FALSE(ticket_record_from_fields({{"userId", "u"}}).found);
    EXPECT_FALSE(ticket_record_from_fields({{"keyHash", "h"}}).found);
    auto t = record("cam-1");
    EXPECT_TRUE(t.found);
    EXPECT_EQ(t.user_id, "u-1");
    EXPECT_EQ(t.scopes, "device:read");
    EXPECT_EQ(t.device_id, "cam-1");
    EXPECT_FALSE(record().device_id);
}

TEST(ticket_target, unknown_ticket_is_401) {
    auto e = check_ticket_target(ticket_record{}, stream_kind::all, "");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, error_kind::unauthorized);
}

TEST(ticket_target, unlimited_ticket_opens_any_stream) {
    EXPECT_FALSE(check_ticket_target(record(), stream_kind::all, ""));
    EXPECT_FALSE(check_ticket_target(record(), stream_kind::device, "cam-9"));
}

TEST(ticket_target, device_ticket_opens_only_that_device) {
    auto t = record("cam-1");
    EXPECT_FALSE(check_ticket_target(t, stream_kind::device, "cam-1"));
    auto other = check_ticket_target(t, stream_kind::device, "cam-2");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->kind, error_kind::forbidden);
    auto all = check_ticket_target(t, stream_kind::all, "");
    ASSERT_TRUE(all);
    EXPECT_EQ(all->kind, error_kind::forbidden);
}

TEST(ticket_commands, store_sets_fields_and_ttl_in_one_script) {
    auto t = record("cam-1");
    auto args = ticket_store_command("ticket:abc", t, 1500ms);
    ASSERT_GE(args.size(), 5u);
    EXPECT_EQ(args[0], "EVAL");
    EXPECT_NE(args[1].find("PEXPIRE"), std::string::npos);
    EXPECT_EQ(args[2], "1");
    EXPECT_EQ(args[3], "ticket:abc");
    EXPECT_EQ(args[4], "1500");
    std::vector<std::string> rest(args.begin() + 5, args.end());
    std::vector<std::string> want{"keyHash", t.key_hash, "userId", "u-1", "scopes", "device:read", "deviceId", "cam-1"};
    EXPECT_EQ(rest, want);
    EXPECT_EQ(ticket_store_command("k", record(), 0ms)[4], "1");  // never a zero (immortal) ttl
    EXPECT_EQ(ticket_store_command("k", record(), 0ms).size(), 11u);
}

TEST(ticket_commands, take_reads_and_deletes_in_one_script) {
    auto args = ticket_take_command("ticket:abc");
    ASSERT_EQ(args.size(), 4u);
    EXPECT_EQ(args[0], "EVAL");
    EXPECT_NE(args[1].find("HGETALL"), std::string::npos);
    EXPECT_NE(args[1].find("DEL"), std::string::npos);
    EXPECT_EQ(args[3], "ticket:abc");
}

TEST(ticket_expires_in, whole_seconds_rounded_up) {
    EXPECT_EQ(ticket_expires_in(60000ms), 60);
    EXPECT_EQ(ticket_expires_in(1500ms), 2);
    EXPECT_EQ(ticket_expires_in(1ms), 1);
    EXPECT_EQ(ticket_expires_in(0ms), 1);
}

TEST(ticket_route, post_path_and_ticket_parameter) {
    using ssegw::test::route_of;
    EXPECT_EQ(route_of("/api/v1/stream-tickets"), ssegw::test::stream_tickets);
    EXPECT_EQ(route_of("/api/v1/stream-tickets/"), ssegw::test::stream_tickets);
    EXPECT_EQ(route_of("/api/v1/stream-tickets/x"), ssegw::test::not_found);
    std::string const target = "/api/v1/devices/cam-1/analysis/stream?ticket=abc&lastEventId=1-0";
    EXPECT_EQ(route_of(target), ssegw::test::device_stream);
    auto parsed = ssegw::web::parse_target(target);
    ASSERT_TRUE(parsed);
    auto q = read_stream_query(*parsed);
    EXPECT_EQ(q.ticket, "abc");
    EXPECT_EQ(q.last_event_id, "1-0");
    EXPECT_FALSE(q.access_token);
    auto red = ssegw::web::redact_target("/api/v1/devices/analysis/stream/all?lastEventId=1-0&ticket=abc");
    EXPECT_EQ(red.find("abc"), std::string::npos) << red;
}

TEST(ticket_config, ticket_ttl_flag_defaults_to_60_and_is_documented) {
    auto getenv_none = [](char const*) -> char const* { return nullptr; };
    char const* none[] = {"sse-gateway"};
    auto d = parse_config(1, none, getenv_none);
    ASSERT_TRUE(d.cfg);
    EXPECT_DOUBLE_EQ(d.cfg->ticket_ttl.count(), 60);
    char const* two[] = {"sse-gateway", "--ticket-ttl", "1.5"};
    auto c = parse_config(3, two, getenv_none);
    ASSERT_TRUE(c.cfg) << c.message;
    EXPECT_DOUBLE_EQ(c.cfg->ticket_ttl.count(), 1.5);
    char const* zero[] = {"sse-gateway", "--ticket-ttl", "0"};
    EXPECT_FALSE(parse_config(3, zero, getenv_none).cfg);
    EXPECT_NE(help_text().find("--ticket-ttl"), std::string::npos);
}

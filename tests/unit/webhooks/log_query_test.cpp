// webhooks/api/log_query: the delivery log's list parameters (defaults, bounds, repeats, the date
// forms and a date-only endDate's whole day) and the pagination numbers (docs/WEBHOOKS.md, "The delivery log"). The
// same rules over HTTP, with records: tests/integration/delivery_log_test.
#include "webhooks/api/log_query.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <variant>

using namespace ssegw;
using webhooks::log_query;

namespace {

std::variant<log_query, web::api_error> read(std::string const& target) {
    auto t = web::parse_target(target);
    EXPECT_TRUE(t) << target;
    return webhooks::read_log_query(*t);
}
log_query good(std::string const& target) {
    auto r = read(target);
    EXPECT_TRUE(std::holds_alternative<log_query>(r)) << target << ": " << std::get<web::api_error>(r).message;
    return std::holds_alternative<log_query>(r) ? std::get<log_query>(r) : log_query{};
}
std::string field_of(std::string const& target) {
    auto r = read(target);
    if (!std::holds_alternative<web::api_error>(r)) return "(accepted)";
    EXPECT_EQ(std::get<web::api_error>(r).kind, web::error_kind::bad_request);
    return std::get<web::api_error>(r).field;
}
nlohmann::json pagination(log_query const& q, std::int64_t total) {
    return nlohmann::json::parse("{" + webhooks::pagination_json(q, total) + "}")["pagination"];
}

} // namespace

TEST(log_query, defaults_and_values) {
    auto q = good("/d");
    EXPECT_EQ(q.page, 1);
    EXPECT_EQ(q.limit, 20);
    EXPECT_TRUE(q.status.empty() && q.device_id.empty() && q.scene_id.empty() && !q.start_ms && !q.end_ms);
    q = good("/d?page=900&limit=100&status=pending&deviceId=cam%2F1&sceneId=s-1&other=x&other=y");
    EXPECT_EQ(q.page, 900);
    EXPECT_EQ(q.limit, 100);
    EXPECT_EQ(webhooks::offset_of(q), 89900);
    EXPECT_EQ(q.status, "pending");
    EXPECT_EQ(q.device_id, "cam/1");
    EXPECT_EQ(q.scene_id, "s-1");
    EXPECT_EQ(good("/d?page=1000000000").page, 1000000000);
}

TEST(log_query, bad_and_repeated_parameters_name_their_field) {
    for (auto const* t : {"/d?page=0", "/d?page=01x", "/d?page=1000000001", "/d?page=%2B2", "/d?page=", "/d?page=1&page=1"})
        EXPECT_EQ(field_of(t), "page") << t;
    for (auto const* t : {"/d?limit=0", "/d?limit=101", "/d?limit=ten"}) EXPECT_EQ(field_of(t), "limit") << t;
    EXPECT_EQ(field_of("/d?status=Success"), "status");
    EXPECT_EQ(field_of("/d?deviceId=a%20b"), "deviceId");
    EXPECT_EQ(field_of("/d?sceneId="), "sceneId");
    for (auto const* t : {"/d?startDate=2026-02-29", "/d?startDate=2026-01-29T10:00:00", "/d?startDate=29/01/2026"})
        EXPECT_EQ(field_of(t), "startDate") << t;
    EXPECT_EQ(field_of("/d?endDate=2026-01-29T10:00:00+0800"), "endDate");
}

TEST(log_query, dates_zones_and_the_whole_day_of_a_date_only_end) {
    constexpr std::int64_t jan29 = 1769644800000;  // 2026-01-29T00:00:00Z
    auto q = good("/d?startDate=2026-01-29&endDate=2026-01-29");
    EXPECT_EQ(q.start_ms, jan29);
    EXPECT_EQ(q.end_ms, jan29 + 86400000 - 1);
    EXPECT_EQ(good("/d?startDate=2026-01-29T08:00:00%2B08:00").start_ms, jan29);
    EXPECT_EQ(good("/d?startDate=2026-01-29T08:00:00+08:00").start_ms, jan29) << "a '+' decoded as a space";
    EXPECT_EQ(good("/d?endDate=2026-01-29T00:00:00.5Z").end_ms, jan29 + 500);
    EXPECT_EQ(field_of("/d?startDate=2026-01-30&endDate=2026-01-29"), "endDate");
    EXPECT_EQ(field_of("/d?startDate=2026-01-29T23:59:59.999Z&endDate=2026-01-29"), "(accepted)");
    EXPECT_EQ(field_of("/d?startDate=2026-01-30T00:00:00Z&endDate=2026-01-29"), "endDate");
}

TEST(log_query, pagination_numbers) {
    log_query q;
    q.limit = 10;
    EXPECT_EQ(pagination(q, 0), (nlohmann::json{{"limit", 10}, {"currentPage", 1}, {"totalRecords", 0}, {"totalPages", 0},
                                                {"nextPage", nullptr}, {"previousPage", nullptr}}));
    EXPECT_EQ(pagination(q, 23)["totalPages"], 3);
    EXPECT_EQ(pagination(q, 23)["nextPage"], 2);
    q.page = 3;
    EXPECT_EQ(pagination(q, 23)["nextPage"], nullptr);
    EXPECT_EQ(pagination(q, 23)["previousPage"], 2);
    EXPECT_EQ(pagination(q, 30)["totalPages"], 3);
    q.page = 7;
    EXPECT_EQ(pagination(q, 23)["previousPage"], 6) << "past the end";
    EXPECT_EQ(pagination(q, 23)["nextPage"], nullptr);
}

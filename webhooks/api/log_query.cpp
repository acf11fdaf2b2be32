#include "webhooks/api/log_query.hpp"

#include "common/ids/device_id.hpp"
#include "common/time/iso8601.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace ssegw::webhooks {
namespace {

using web::api_error;
using web::error_kind;

constexpr std::array<std::string_view, 7> known = {"page", "limit", "status", "deviceId", "sceneId", "startDate",
                                                   "endDate"};
constexpr std::int64_t day_ms = 86400000;

api_error bad(std::string_view field, std::string message) {
    return {error_kind::bad_request, std::move(message), std::string(field)};
}

api_error bad_date(std::string_view field) {
    std::string message(field);
    message.append(" must be YYYY-MM-DD or a date-time with Z or +HH:MM, e.g. 2026-01-29T10:30:00Z");
    return bad(field, std::move(message));
}

// Digits only (no sign, no spaces), within [lo, hi].
std::optional<std::int64_t> bounded(std::string const& s, std::int64_t lo, std::int64_t hi) {
    if (s.empty() || s.size() > 12 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    std::int64_t n = 0;
    std::from_chars(s.data(), s.data() + s.size(), n);
    if (n < lo || n > hi) return std::nullopt;
    return n;
}

struct date_bound {
    std::int64_t ms;
    bool date_only;
};

std::optional<date_bound> date_of(std::string s) {
    // A query string's '+' arrives as a space when the client did not percent-encode it.
    std::replace(s.begin(), s.end(), ' ', '+');
    if (s.size() == 10) {
        auto d = iso8601::parse_date(s);
        if (d) return date_bound{*d, true};
        return std::nullopt;
    }
    auto t = iso8601::parse_date_time(s);
    if (!t) return std::nullopt;
    return date_bound{*t, false};
}

} // namespace

std::variant<log_query, api_error> read_log_query(web::target const& t) {
    for (auto name : known) {
        auto n = std::count_if(t.query.begin(), t.query.end(), [&](auto const& kv) { return kv.first == name; });
        if (n > 1) return bad(name, std::string(name) + " is given more than once");
    }
    log_query q;
    if (auto v = t.param("page")) {
        auto n = bounded(*v, 1, 1000000000);
        if (!n) return bad("page", "page must be a whole number from 1 to 1000000000");
        q.page = *n;
    }
    if (auto v = t.param("limit")) {
        auto n = bounded(*v, 1, 100);
        if (!n) return bad("limit", "limit must be a whole number from 1 to 100");
        q.limit = *n;
    }
    if (auto v = t.param("status")) {
        if (*v != "success" && *v != "failed" && *v != "pending")
            return bad("status", "status must be success, failed or pending");
        q.status = *v;
    }
    if (auto v = t.param("deviceId")) {
        if (!ids::valid_device_id(*v)) return bad("deviceId", "deviceId must be 1-200 bytes without spaces or controls");
        q.device_id = *v;
    }
    if (auto v = t.param("sceneId")) {
        if (!ids::valid_device_id(*v)) return bad("sceneId", "sceneId must be 1-200 bytes without spaces or controls");
        q.scene_id = *v;
    }
    if (auto v = t.param("startDate")) {
        auto d = date_of(*v);
        if (!d) return bad_date("startDate");
        q.start_ms = d->ms;
    }
    if (auto v = t.param("endDate")) {
        auto d = date_of(*v);
        if (!d) return bad_date("endDate");
        // A day given alone is the whole day: up to its last millisecond.
        q.end_ms = d->date_only ? d->ms + day_ms - 1 : d->ms;
    }
    if (q.start_ms && q.end_ms && *q.start_ms > *q.end_ms) return bad("endDate", "endDate must not be before startDate");
    return q;
}

std::string pagination_json(log_query const& q, std::int64_t total) {
    auto pages = (total + q.limit - 1) / q.limit;
    auto or_null = [](bool has, std::int64_t n) { return has ? std::to_string(n) : std::string("null"); };
    return "\"pagination\":{\"limit\":" + std::to_string(q.limit) + ",\"currentPage\":" + std::to_string(q.page) +
           ",\"totalRecords\":" + std::to_string(total) + ",\"totalPages\":" + std::to_string(pages) +
           ",\"nextPage\":" + or_null(q.page < pages, q.page + 1) + ",\"previousPage\":" +
           or_null(q.page > 1, q.page - 1) + "}";
}

} // namespace ssegw::webhooks

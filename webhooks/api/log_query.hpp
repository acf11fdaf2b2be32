// A delivery-log list request (GET …/webhook/deliveries): its query parameters read and checked,
// and the pagination numbers of its answer. Pure, so every rule is unit-tested.
#pragma once

#include "common/http/api_error.hpp"
#include "common/http/target.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace ssegw::webhooks {

struct log_query {
    std::int64_t page = 1;
    std::int64_t limit = 20;
    std::string status;     // "" = any, else success | failed | pending
    std::string device_id;  // "" = any
    std::string scene_id;   // "" = any
    std::optional<std::int64_t> start_ms, end_ms;  // inclusive bounds on createdAt, unix ms
};

/// The parameters of `t`'s query. Unknown ones are ignored; a repeated or bad one is a 400 that
/// names it in `field`. A date-only endDate covers its whole UTC day; a `+` of a zone that reached
/// us decoded as a space counts as `+`.
std::variant<log_query, web::api_error> read_log_query(web::target const& t);

/// The records skipped before this page.
inline std::int64_t offset_of(log_query const& q) { return (q.page - 1) * q.limit; }

/// `"pagination":{…}` for `total` matching records (the member, without braces around it).
std::string pagination_json(log_query const& q, std::int64_t total);

} // namespace ssegw::webhooks

// The gateway's route table as the server builds it (stream routes, then the ops endpoints), for
// asking which route a request target reaches. Handlers are never called here.
#pragma once

#include "common/http/ops_endpoints.hpp"
#include "common/http/route_table.hpp"
#include "common/http/target.hpp"
#include "gateway/stream_endpoints.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ssegw::test {

inline web::route_table const& gateway_routes() {
    static web::route_table const table = [] {
        web::route_table t;
        gateway::add_stream_routes(t);
        web::add_ops_routes(t, web::ops_probes{});
        return t;
    }();
    return table;
}

/// A route's pattern as a path ("{}" for a parameter), e.g. "/api/v1/devices/{}/analysis/stream".
inline std::string path_of(web::route const& r) {
    std::string p;
    for (auto const& s : r.pattern) p += "/" + s;
    return p.empty() ? "/" : p;
}

inline constexpr std::string_view bad_target = "<bad target>";  // parse_target refused it (400)
inline constexpr std::string_view not_found = "<not found>";    // no route (404)

/// Which route `t` reaches: its pattern path, or bad_target / not_found.
inline std::string route_of(std::string_view t) {
    auto parsed = web::parse_target(t);
    if (!parsed) return std::string(bad_target);
    auto m = gateway_routes().find(*parsed);
    return m ? path_of(*m->r) : std::string(not_found);
}

/// The match for `t`, or nullopt when it is malformed or reaches no route.
inline std::optional<web::route_table::match> match_of(std::string_view t) {
    auto parsed = web::parse_target(t);
    if (!parsed) return std::nullopt;
    return gateway_routes().find(*parsed);
}

inline constexpr std::string_view device_stream = "/api/v1/devices/{}/analysis/stream";
inline constexpr std::string_view all_stream = "/api/v1/devices/analysis/stream/all";
inline constexpr std::string_view stream_tickets = "/api/v1/stream-tickets";

} // namespace ssegw::test

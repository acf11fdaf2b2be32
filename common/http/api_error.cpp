#include "common/http/api_error.hpp"

#include <nlohmann/json.hpp>

namespace ssegw::web {

unsigned status_of(error_kind k) {
    switch (k) {
    case error_kind::bad_request: return 400;
    case error_kind::unauthorized: return 401;
    case error_kind::forbidden: return 403;
    case error_kind::not_found: return 404;
    case error_kind::method_not_allowed: return 405;
    case error_kind::too_many: return 429;
    case error_kind::unavailable: return 503;
    case error_kind::conflict: return 409;
    case error_kind::too_many_requests: return 429;
    case error_kind::internal: return 500;
    }
    return 500;
}

std::string_view code_of(error_kind k) {
    switch (k) {
    case error_kind::bad_request: return "BAD_REQUEST";
    case error_kind::unauthorized: return "UNAUTHORIZED";
    case error_kind::forbidden: return "FORBIDDEN";
    case error_kind::not_found: return "NOT_FOUND";
    case error_kind::method_not_allowed: return "METHOD_NOT_ALLOWED";
    case error_kind::too_many: return "TOO_MANY_CONNECTIONS";
    case error_kind::unavailable: return "SERVICE_UNAVAILABLE";
    case error_kind::conflict: return "CONFLICT";
    case error_kind::too_many_requests: return "TOO_MANY_REQUESTS";
    case error_kind::internal: return "INTERNAL_ERROR";
    }
    return "INTERNAL";
}

std::string_view metric_reason_of(error_kind k) {
    switch (k) {
    case error_kind::bad_request: return "bad_request";
    case error_kind::unauthorized: return "unauthorized";
    case error_kind::forbidden: return "forbidden";
    case error_kind::not_found: return "not_found";
    case error_kind::method_not_allowed: return "bad_request";
    case error_kind::too_many: return "too_many";
    case error_kind::unavailable: return "unavailable";
    case error_kind::conflict: return "bad_request";
    case error_kind::too_many_requests: return "too_many";
    case error_kind::internal: return "unavailable";
    }
    return "bad_request";
}

bool is_transient(error_kind k) { return k == error_kind::too_many || k == error_kind::unavailable; }

std::string error_body(api_error const& e) {
    nlohmann::ordered_json err = {{"code", code_of(e.kind)}, {"message", e.message}};
    if (!e.field.empty()) err["field"] = e.field;
    nlohmann::ordered_json j = {{"error", std::move(err)}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace ssegw::web

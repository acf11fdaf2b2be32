// The error table of docs/API.md: status, code, JSON body and metric label per refusal.
#pragma once

#include <string>
#include <string_view>

namespace ssegw::web {

enum class error_kind {
    bad_request, unauthorized, forbidden, not_found, method_not_allowed, too_many, unavailable,
    conflict,          // 409: the state forbids it (a second webhook, a refused retry)
    too_many_requests,  // 429 of an API call (too_many is the per-user stream cap)
    internal            // 500: a fault of ours or of the data we hold, logged
};

struct api_error {
    error_kind kind;
    std::string message;
    std::string field = {};  // the request member a 400 is about, when there is one
};

unsigned status_of(error_kind k);
std::string_view code_of(error_kind k);
/// The reason label of sse_gateway_connections_rejected_total.
std::string_view metric_reason_of(error_kind k);
/// 429 and 503: an EventSource client gets these as a 200 stream with `event: error` instead.
bool is_transient(error_kind k);
/// {"error":{"code":"…","message":"…"}}, plus "field" when set
std::string error_body(api_error const& e);

} // namespace ssegw::web

// The error table of docs/API.md: status, code, JSON body and metric label per refusal.
#pragma once

#include <string>
#include <string_view>

namespace ssegw::web {

enum class error_kind { bad_request, unauthorized, forbidden, not_found, method_not_allowed, too_many, unavailable };

struct api_error {
    error_kind kind;
    std::string message;
};

unsigned status_of(error_kind k);
std::string_view code_of(error_kind k);
/// The reason label of sse_gateway_connections_rejected_total.
std::string_view metric_reason_of(error_kind k);
/// 429 and 503: an EventSource client gets these as a 200 stream with `event: error` instead.
bool is_transient(error_kind k);
/// {"error":{"code":"…","message":"…"}}
std::string error_body(api_error const& e);

} // namespace ssegw::web

// The bytes of a delivery's request head, written by hand so that exactly the headers of a
// delivery go out, in a fixed order, and no given value can add a header or a line. Pure.
#pragma once

#include "webhooks/delivery/attempt.hpp"
#include "webhooks/delivery/delivery_target.hpp"

#include <string>

namespace ssegw::webhooks {

inline constexpr std::string_view user_agent = "sse-webhooks/1";

struct request_head_result {
    std::string head;   // empty on failure
    std::string error;  // why the request cannot be sent (a bad or reserved header)
};

/// `POST <path?query> HTTP/1.1`, then Host, User-Agent, the given headers in their order
/// (`Content-Type: application/json` if they have none), Content-Length and
/// `Connection: keep-alive`. Given headers must be tokens with values free of control characters
/// (tab allowed), and may not be one the sender writes itself (Host, User-Agent, Content-Length,
/// Connection, Transfer-Encoding).
request_head_result request_head(delivery_target const& t, attempt_request const& r);

} // namespace ssegw::webhooks

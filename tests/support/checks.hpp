// GoogleTest predicates shared by the integration tests: the JSON error body, stream headers, and
// opening a stream that must succeed.
#pragma once

#include "tests/support/http_client.hpp"
#include "tests/support/sse_client.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ssegw::it {

/// `status`, a JSON Content-Type and a body {"error":{"code":code,"message":"<non-empty>"}}.
::testing::AssertionResult is_error(int status, response_head const& head, std::string const& body,
                                    int want_status, std::string const& want_code);
inline ::testing::AssertionResult is_error(http_response const& r, int want_status, std::string const& want_code) {
    return is_error(r.status(), r.head, r.body, want_status, want_code);
}

/// The three success headers of a stream.
::testing::AssertionResult has_stream_headers(response_head const& head);

/// Retry-After present and a positive integer (delay-seconds).
::testing::AssertionResult has_retry_after(response_head const& head);

/// The transient-refusal form for EventSource: 200, text/event-stream, a positive retry:, one
/// `event: error` whose data is the error JSON with `want_code`, then the connection closes.
::testing::AssertionResult is_event_stream_refusal(sse_client& c, std::string const& want_code);

/// Opens a stream that must answer 200 and deliver its first `retry:` (throws with the response otherwise).
std::unique_ptr<sse_client> open_stream(std::uint16_t port, std::string const& target, header_list headers);

/// The value of one sample line `series value` (series with its labels exactly as rendered) in a
/// Prometheus text body; nullopt if absent.
std::optional<double> metric_value(std::string const& body, std::string const& series);
/// GET /metrics and metric_value(); nullopt if absent or the request failed.
std::optional<double> scrape(std::uint16_t port, std::string const& series);

/// Reads the next event; throws with the stream so far if none arrives by the deadline.
sse_event next_event(sse_client& c, deadline d = in(5s));

} // namespace ssegw::it

// Maps a request (its target, and its Accept for the form of refusals) to what the gateway serves;
// pure, so it is unit-tested without sockets.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ssegw::gateway {

enum class route_kind { device_stream, all_stream, stream_tickets, healthz, readyz, metrics, not_found, bad_target };

struct route {
    route_kind kind = route_kind::not_found;
    std::string device_id;                     // device_stream only, percent-decoded
    std::optional<std::string> access_token;   // ?access_token=
    std::optional<std::string> ticket;         // ?ticket= (a stream ticket, in place of a key)
    std::optional<std::string> last_event_id;  // ?lastEventId=
    bool is_stream() const { return kind == route_kind::device_stream || kind == route_kind::all_stream; }
};

route parse_target(std::string_view target);

/// 1-200 bytes, no controls or spaces (ids end up in channel names).
bool valid_device_id(std::string const& id);

/// The target with the access_token and ticket values replaced by "REDACTED", for logs.
std::string redact_target(std::string_view target);

/// Whether an Accept value names text/event-stream (an EventSource; media types compare without
/// regard to case): such a client gets refusals as an event stream it can read.
bool accepts_event_stream(std::string_view accept);

} // namespace ssegw::gateway

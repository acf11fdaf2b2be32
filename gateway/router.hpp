// Maps a request target to what the gateway serves; pure, so it is unit-tested without sockets.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ssegw::gateway {

enum class route_kind { device_stream, all_stream, healthz, readyz, metrics, not_found, bad_target };

struct route {
    route_kind kind = route_kind::not_found;
    std::string device_id;                     // device_stream only, percent-decoded
    std::optional<std::string> access_token;   // ?access_token=
    std::optional<std::string> last_event_id;  // ?lastEventId=
    bool is_stream() const { return kind == route_kind::device_stream || kind == route_kind::all_stream; }
};

route parse_target(std::string_view target);

/// The target with the access_token value replaced by "REDACTED", for logs.
std::string redact_target(std::string_view target);

} // namespace ssegw::gateway

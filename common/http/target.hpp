// A request target read once: its decoded path segments and query parameters (Boost.URL), plus the
// redacted form logs use. Pure, so routing is unit-tested without sockets.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssegw::web {

struct target {
    std::vector<std::string> segments;                        // percent-decoded; "/a/b/" == "/a/b"
    std::vector<std::pair<std::string, std::string>> query;   // percent-decoded, in order

    /// The first value of query parameter `key`, if present.
    std::optional<std::string> param(std::string_view key) const;
};

/// nullopt when `t` is not an origin-form target ("/path?query").
std::optional<target> parse_target(std::string_view t);

/// Query parameters whose values never reach a log.
inline constexpr std::array<std::string_view, 2> secret_params = {"access_token", "ticket"};

/// The target with the values of secret_params replaced by "REDACTED", for logs.
std::string redact_target(std::string_view t);

/// Whether an Accept value names text/event-stream (an EventSource; media types compare without
/// regard to case): such a client gets refusals as an event stream it can read.
bool accepts_event_stream(std::string_view accept);

} // namespace ssegw::web

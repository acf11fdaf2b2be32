// A receiver's Retry-After (on a 429 or 503, say): how long it asked us to wait, which can push the
// next retry later than the schedule. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ssegw::webhooks {

/// The delay in a Retry-After value, given the current unix time: delay-seconds (digits only;
/// beyond 2^31 s it saturates there, as HTTP caches treat delta-seconds), or an IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`, the only date form HTTP senders may produce) minus now, 0 if
/// it is past. Surrounding spaces and tabs are ignored; anything else malformed is nullopt (an
/// invalid value is as if there were none).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::int64_t now_unix_seconds);

} // namespace ssegw::webhooks

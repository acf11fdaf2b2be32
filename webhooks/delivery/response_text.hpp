// A delivery record's responseBody: what a receiver answered, kept small and always valid UTF-8, so
// the record stays JSON whatever bytes came back. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ssegw::webhooks {

inline constexpr std::size_t response_body_limit = 4096;

/// The text of a response body's first `response_body_limit` bytes. `received` holds the body's
/// first bytes (it may hold more than the limit); `whole` says they are the entire body.
/// A character cut by the limit (or by a body that was not read to its end) is dropped; an
/// incomplete sequence at the body's real end, and every other ill-formed sequence, becomes one
/// U+FFFD per maximal subpart (as Unicode and the WHATWG decoder count them). The result can
/// exceed the limit by the replacements' extra bytes (at most 3 per byte).
std::string response_text(std::string_view received, bool whole);

} // namespace ssegw::webhooks

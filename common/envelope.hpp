// The producer's envelope on a Redis channel: {"id":"<log id>","event":"…","data":<result>}.
// Parsed once per message per instance; `data` is located as raw bytes so it is forwarded
// byte-for-byte, never re-serialised.
#pragma once

#include "common/sse/event_id.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ssegw {

struct envelope {
    std::string id;          // validated "<ms>-<seq>"
    sse::event_id parsed_id;
    std::string event;       // validated: non-empty, no CR/LF/NUL
    std::string_view data;   // view into the payload given to parse_envelope
};

/// Never throws; on failure returns nullopt and says why in `error`.
std::optional<envelope> parse_envelope(std::string_view payload, std::string& error);

/// Finds the raw text of member `key` of the top-level JSON object in `json` (which must be
/// valid JSON); the last occurrence wins, as in nlohmann. Exposed for tests.
std::optional<std::string_view> raw_member(std::string_view json, std::string_view key);

} // namespace ssegw

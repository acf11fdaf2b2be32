// The webhook body's bytes: JSON re-serialised exactly as ECMAScript's JSON.stringify(JSON.parse(text))
// writes it, so that a verifier re-stringifying the parsed body signs the very bytes that were sent.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ssegw::json {

/// Deepest nesting of arrays and objects accepted (the outermost value is depth 1).
inline constexpr int max_depth = 64;
/// Largest re-serialised event `data` accepted by ecma_serialize_event_data, in bytes.
inline constexpr std::size_t max_event_data_bytes = 64 * 1024;

/// Parses `json_text` (RFC 8259, UTF-8) and returns it as JSON.stringify(JSON.parse(json_text))
/// would: compact; members in source order except array-index keys ("0".."4294967294", canonical),
/// which come first in ascending order; numbers as ECMAScript's Number::toString of the nearest
/// double; strings escaping only `"`, `\` and U+0000..U+001F (\b \t \n \f \r, else \u00xx).
/// Refuses, with `error` saying why (and where): malformed JSON, invalid UTF-8, lone surrogates
/// (raw or as \u escapes), duplicate keys in an object, nesting deeper than max_depth, numbers
/// beyond a double's range. Never throws on any input (only std::bad_alloc).
std::optional<std::string> ecma_serialize(std::string_view json_text, std::string& error);

/// ecma_serialize for a producer's event `data`: also refuses a top-level value that is not an
/// object, and a result longer than max_event_data_bytes.
std::optional<std::string> ecma_serialize_event_data(std::string_view json_text, std::string& error);

} // namespace ssegw::json

// The platform's time stamps: UTC ISO 8601 with milliseconds (`2026-01-29T10:30:05.123Z`) out,
// and ISO 8601 with an explicit zone in. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssegw::iso8601 {

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for unix milliseconds (years 0000-9999).
std::string format_ms(std::int64_t unix_ms);

/// Unix ms of `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; the fraction is cut to ms. A date
/// without a zone, an impossible date or a bad shape is nullopt.
std::optional<std::int64_t> parse_date_time(std::string_view s);

/// Unix ms of the start of day `YYYY-MM-DD` (UTC).
std::optional<std::int64_t> parse_date(std::string_view s);

/// The current unix time in ms.
std::int64_t now_ms();

} // namespace ssegw::iso8601

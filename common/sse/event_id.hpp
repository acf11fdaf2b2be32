// Redis stream entry ids ("<ms>-<seq>") as SSE event ids: parse, order, and the ms part for lag.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssegw::sse {

struct event_id {
    std::uint64_t ms = 0;
    std::uint64_t seq = 0;

    auto operator<=>(event_id const&) const = default;
    std::string to_string() const;
};

/// Accepts exactly "<digits>-<digits>" (no sign, no spaces, each part fits 64 bits).
std::optional<event_id> parse_event_id(std::string_view text);

} // namespace ssegw::sse

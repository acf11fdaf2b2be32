#include "common/sse/event_id.hpp"

#include <charconv>

namespace ssegw::sse {
namespace {

bool parse_part(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

} // namespace

std::string event_id::to_string() const { return std::to_string(ms) + '-' + std::to_string(seq); }

std::optional<event_id> parse_event_id(std::string_view text) {
    auto dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    event_id id;
    if (!parse_part(text.substr(0, dash), id.ms) || !parse_part(text.substr(dash + 1), id.seq))
        return std::nullopt;
    return id;
}

} // namespace ssegw::sse

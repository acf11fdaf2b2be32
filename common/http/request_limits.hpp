// The bounds every request is held to, and the framing checks that keep a proxy in front and this
// server reading the same requests (no smuggling).
#pragma once

#include "common/net.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace ssegw::web {

inline constexpr std::uint32_t header_limit = 16 * 1024;   // request line + headers: 431 past it
inline constexpr std::size_t target_limit = 8 * 1024;      // request target: 414 past it
inline constexpr std::uint64_t body_limit = 64 * 1024;     // 413 past it
inline constexpr auto response_timeout = std::chrono::seconds(30);  // to write an answer

/// Framing a proxy in front could read differently, or a body where none belongs: the reason to
/// refuse, or empty. Beast already refuses Content-Length with Transfer-Encoding and differing
/// Content-Lengths; this adds repeated (even equal) lengths, any transfer coding but a single
/// `chunked` (Beast would take `gzip` alone as "no body" and parse the body as the next request),
/// and bodies on GET/HEAD (no GET route takes one).
std::string framing_problem(http::request<http::string_body> const& req);

} // namespace ssegw::web

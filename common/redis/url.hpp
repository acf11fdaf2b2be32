// Where a Redis server is: parsed from `redis://[:password@]host:port[/db]`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssegw::redis {

struct endpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::string password;  // empty: no AUTH
    int db = 0;
};

/// Parses a redis:// URL; on failure returns nullopt and says why in `error`.
std::optional<endpoint> parse_url(std::string_view url, std::string& error);

} // namespace ssegw::redis

#include "common/redis/url.hpp"

#include <boost/url/parse.hpp>

#include <charconv>

namespace ssegw::redis {

std::optional<endpoint> parse_url(std::string_view text, std::string& error) {
    auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) {
        error = "not a URL: " + std::string(text);
        return std::nullopt;
    }
    auto const& u = *parsed;
    if (u.scheme() != "redis") {
        error = "scheme must be redis://";
        return std::nullopt;
    }
    endpoint ep;
    if (!u.has_authority() || u.host().empty()) {
        error = "missing host";
        return std::nullopt;
    }
    ep.host = u.host_address();  // IPv6 without brackets, as hiredis wants it
    if (u.has_port()) {
        auto p = u.port();
        unsigned v = 0;
        auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
        if (ec != std::errc{} || ptr != p.data() + p.size() || v == 0 || v > 65535) {
            error = "bad port: " + std::string(p);
            return std::nullopt;
        }
        ep.port = static_cast<std::uint16_t>(v);
    }
    if (u.has_password())
        ep.password = u.password();
    else if (u.has_userinfo() && !u.user().empty())
        ep.password = u.user();  // redis://secret@host is a common shorthand
    std::string_view path = u.encoded_path();
    if (!path.empty() && path != "/") {
        path.remove_prefix(1);
        int db = -1;
        auto [ptr, ec] = std::from_chars(path.data(), path.data() + path.size(), db);
        if (ec != std::errc{} || ptr != path.data() + path.size() || db < 0) {
            error = "bad database number: " + std::string(path);
            return std::nullopt;
        }
        ep.db = db;
    }
    return ep;
}

} // namespace ssegw::redis

#include "webhooks/delivery/delivery_target.hpp"

#include "common/ascii.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>

namespace ssegw::webhooks {
namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_';
}

// A request target reaches the request line: visible ASCII only, never a space or a line break.
bool target_chars(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
    return true;
}

} // namespace

std::optional<delivery_target> parse_target(std::string_view url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return std::nullopt;
    auto const& u = *parsed;
    delivery_target t;
    if (ascii::iequals(u.scheme(), "https")) t.https = true;
    else if (ascii::iequals(u.scheme(), "http")) t.https = false;
    else return std::nullopt;
    if (!u.has_authority() || u.has_userinfo()) return std::nullopt;

    switch (u.host_type()) {
    case boost::urls::host_type::name: {
        std::string_view h = u.encoded_host();
        if (h.empty() || h.size() > 253) return std::nullopt;
        for (char c : h)
            if (!name_char(c)) return std::nullopt;
        t.host = std::string(h);
        break;
    }
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
        t.ip_literal = true;
        t.host = std::string(u.encoded_host_address());
        break;
    default: return std::nullopt;
    }

    t.port = t.https ? 443 : 80;
    if (u.has_port()) {
        std::string_view p = u.port();
        unsigned n = 0;
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
        if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || n < 1 || n > 65535) return std::nullopt;
        t.port = static_cast<std::uint16_t>(n);
    }
    t.host_header = std::string(u.encoded_host_and_port());

    std::string_view path = u.encoded_path();
    if (!path.empty() && path.front() != '/') return std::nullopt;
    t.path_query = path.empty() ? "/" : std::string(path);
    if (u.has_query()) {
        t.path_query += '?';
        t.path_query += std::string_view(u.encoded_query());
    }
    if (!target_chars(t.path_query) || !target_chars(t.host_header)) return std::nullopt;

    std::string lower_host;
    for (char c : t.host) lower_host += ascii::lower(c);
    bool v6 = u.host_type() == boost::urls::host_type::ipv6;
    t.origin = std::string(t.https ? "https://" : "http://") + (v6 ? "[" : "") + lower_host + (v6 ? "]" : "") + ":" +
               std::to_string(t.port);
    return t;
}

} // namespace ssegw::webhooks

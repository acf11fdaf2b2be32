#include "webhooks/model/url_rules.hpp"

#include "common/ascii.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>

namespace ssegw::webhooks {
namespace {

// Host names go into the Host header and TLS SNI: letters, digits, '-', '.', '_' only (an IDN
// arrives in punycode), so nothing a receiver or a proxy could read as another header.
bool plain_host_name(std::string_view h) {
    if (h.empty() || h.size() > 253) return false;
    for (char c : h)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
            return false;
    return true;
}

// `127.1`, `2130706433`, `0x7f.1`: names that resolvers (and browsers) read as IPv4 addresses in
// shorthand. No real host name ends in a numeric label, so refuse them rather than let them pass
// as names now and be refused only when a delivery resolves them.
bool numeric_host_name(std::string_view h) {
    if (!h.empty() && h.back() == '.') h.remove_suffix(1);
    auto label = h.substr(h.rfind('.') == std::string_view::npos ? 0 : h.rfind('.') + 1);
    if (label.empty()) return false;
    if (label.size() > 1 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X')) return true;
    for (char c : label)
        if (c < '0' || c > '9') return false;
    return true;
}

} // namespace

bool acceptable_url(std::string_view text, url_rules const& rules) {
    if (text.empty() || text.size() > 500) return false;
    auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) return false;
    auto const& u = *parsed;
    auto scheme = u.scheme();
    if (!ascii::iequals(scheme, "https") && !(rules.allow_http && ascii::iequals(scheme, "http"))) return false;
    if (!u.has_authority() || u.has_userinfo() || u.has_fragment()) return false;
    // After an authority the path is empty or starts with '/' (RFC 3986 path-abempty). Boost.URL
    // 1.81 lets `https://host:8o/` through as port 8 and path `o/`: refuse such URLs here.
    if (auto path = u.encoded_path(); !path.empty() && path.front() != '/') return false;
    if (u.has_port()) {
        auto p = u.port();
        unsigned n = 0;
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
        if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || n < 1 || n > 65535) return false;
    }
    switch (u.host_type()) {
    case boost::urls::host_type::name: return plain_host_name(u.encoded_host()) && !numeric_host_name(u.encoded_host());
    case boost::urls::host_type::ipv4:
        return !rules.addresses || !rules.addresses->refused(boost::asio::ip::address(
                                       boost::asio::ip::make_address_v4(u.host_ipv4_address().to_bytes())));
    case boost::urls::host_type::ipv6:
        return !rules.addresses || !rules.addresses->refused(boost::asio::ip::address(
                                       boost::asio::ip::make_address_v6(u.host_ipv6_address().to_bytes())));
    default: return false;  // IPvFuture, or no host
    }
}

} // namespace ssegw::webhooks

#include "webhooks/model/address_policy.hpp"

#include <charconv>

namespace ssegw::webhooks {
namespace {

std::array<unsigned char, 16> bytes_of(boost::asio::ip::address const& a) {
    if (a.is_v6()) return a.to_v6().to_bytes();
    std::array<unsigned char, 16> b{};
    auto v4 = a.to_v4().to_bytes();
    std::copy(v4.begin(), v4.end(), b.begin());
    return b;
}

std::vector<network> const& refused_networks() {
    static std::vector<network> const nets = [] {
        std::vector<network> v;
        for (auto cidr : {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
                          "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
                          "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "::/96", "::ffff:0:0/96",
                          "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "2002::/16", "fc00::/7",
                          "fe80::/10", "fec0::/10", "ff00::/8"})
            v.push_back(*parse_network(cidr));
        return v;
    }();
    return nets;
}

} // namespace

bool network::contains(boost::asio::ip::address const& a) const {
    if (a.is_v4() != v4) return false;
    auto b = bytes_of(a);
    unsigned full = prefix / 8, rest = prefix % 8;
    for (unsigned i = 0; i < full; ++i)
        if (b[i] != bytes[i]) return false;
    if (rest == 0) return true;
    auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (b[full] & mask) == (bytes[full] & mask);
}

std::optional<network> parse_network(std::string_view cidr) {
    auto slash = cidr.find('/');
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(std::string(cidr.substr(0, slash)), ec);
    if (ec) return std::nullopt;
    unsigned max = addr.is_v4() ? 32 : 128, len = max;
    if (slash != std::string_view::npos) {
        auto p = cidr.substr(slash + 1);
        auto [end, err] = std::from_chars(p.data(), p.data() + p.size(), len);
        if (p.empty() || err != std::errc{} || end != p.data() + p.size() || len > max) return std::nullopt;
    }
    network n;
    n.v4 = addr.is_v4();
    n.bytes = bytes_of(addr);
    n.prefix = len;
    return n;
}

address_policy::address_policy(std::vector<network> allowed) : allowed_(std::move(allowed)) {}

bool address_policy::refused(boost::asio::ip::address const& a) const {
    for (auto const& n : allowed_)
        if (n.contains(a)) return false;
    for (auto const& n : refused_networks())
        if (n.contains(a)) return true;
    return false;
}

} // namespace ssegw::webhooks

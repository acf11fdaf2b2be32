// Which addresses a webhook may reach: none of the private, loopback, link-local (cloud metadata),
// shared, documentation, multicast or reserved ranges, unless an operator's --webhook-allow-net
// network holds the address. Applied to IP-literal URLs when a webhook is saved and to every
// resolved address before a delivery connects.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssegw::webhooks {

/// An IPv4 or IPv6 network; it holds addresses of its own family only (an IPv4-mapped IPv6
/// address is an IPv6 address, refused as such unless an IPv6 network allows it).
struct network {
    bool v4 = false;
    std::array<unsigned char, 16> bytes{};  // IPv4: the first 4
    unsigned prefix = 0;
    bool contains(boost::asio::ip::address const& a) const;
};

/// `10.0.0.0/8`, `fd00::/8`, or a bare address (a /32 or /128); nullopt if malformed.
std::optional<network> parse_network(std::string_view cidr);

class address_policy {
public:
    explicit address_policy(std::vector<network> allowed = {});
    /// True when deliveries must not reach `a`.
    bool refused(boost::asio::ip::address const& a) const;

private:
    std::vector<network> allowed_;
};

} // namespace ssegw::webhooks

// webhooks/model/address_policy: the SSRF guard (the refused networks of docs/WEBHOOKS.md) — every refused range
// (its first and last address), public addresses allowed, IPv4-mapped IPv6 refused, and the
// operator's --webhook-allow-net exceptions.
#include "webhooks/model/address_policy.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>

#include <string>
#include <vector>

namespace wh = ssegw::webhooks;

namespace {

boost::asio::ip::address ip(std::string const& s) { return boost::asio::ip::make_address(s); }

wh::network net(std::string const& cidr) {
    auto n = wh::parse_network(cidr);
    EXPECT_TRUE(n) << cidr;
    return n.value_or(wh::network{});
}

struct range {
    char const* cidr;
    char const* first;
    char const* last;
    char const* before;  // just outside, below (nullptr: none / itself refused)
    char const* after;   // just outside, above
};

// Section 7's list, in its order.
std::vector<range> const refused_ranges = {
    {"0.0.0.0/8", "0.0.0.0", "0.255.255.255", nullptr, "1.0.0.0"},
    {"10.0.0.0/8", "10.0.0.0", "10.255.255.255", "9.255.255.255", "11.0.0.0"},
    {"100.64.0.0/10", "100.64.0.0", "100.127.255.255", "100.63.255.255", "100.128.0.0"},
    {"127.0.0.0/8", "127.0.0.0", "127.255.255.255", "126.255.255.255", "128.0.0.0"},
    {"169.254.0.0/16", "169.254.0.0", "169.254.255.255", "169.253.255.255", "169.255.0.0"},
    {"172.16.0.0/12", "172.16.0.0", "172.31.255.255", "172.15.255.255", "172.32.0.0"},
    {"192.0.0.0/24", "192.0.0.0", "192.0.0.255", "191.255.255.255", "192.0.1.0"},
    {"192.0.2.0/24", "192.0.2.0", "192.0.2.255", "192.0.1.255", "192.0.3.0"},
    {"192.88.99.0/24", "192.88.99.0", "192.88.99.255", "192.88.98.255", "192.88.100.0"},
    {"192.168.0.0/16", "192.168.0.0", "192.168.255.255", "192.167.255.255", "192.169.0.0"},
    {"198.18.0.0/15", "198.18.0.0", "198.19.255.255", "198.17.255.255", "198.20.0.0"},
    {"198.51.100.0/24", "198.51.100.0", "198.51.100.255", "198.51.99.255", "198.51.101.0"},
    {"203.0.113.0/24", "203.0.113.0", "203.0.113.255", "203.0.112.255", "203.0.114.0"},
    {"224.0.0.0/4", "224.0.0.0", "239.255.255.255", "223.255.255.255", nullptr},
    {"240.0.0.0/4", "240.0.0.0", "255.255.255.255", nullptr, nullptr},
    {"::/96", "::", "::ffff:ffff", nullptr, "::1:0:0"},
    {"::ffff:0:0/96", "::ffff:0:0", "::ffff:ffff:ffff", "::fffe:ffff:ffff", "::1:0:0:0"},
    {"64:ff9b::/96", "64:ff9b::", "64:ff9b::ffff:ffff", "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", "64:ff9b::1:0:0"},
    {"64:ff9b:1::/48", "64:ff9b:1::", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "64:ff9b:0:ffff:ffff:ffff:ffff:ffff",
     "64:ff9b:2::"},
    {"100::/64", "100::", "100::ffff:ffff:ffff:ffff", "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "100:0:0:1::"},
    {"2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
     "2001:db9::"},
    {"2002::/16", "2002::", "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
     "2003::"},
    {"fc00::/7", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
     "fe00::"},
    {"fe80::/10", "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nullptr, nullptr},
    {"fec0::/10", "fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nullptr, "ff00::"},
    {"ff00::/8", "ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nullptr, nullptr},
};

} // namespace

TEST(address_policy, refuses_both_ends_of_every_range_of_section_7) {
    wh::address_policy policy;
    for (auto const& r : refused_ranges) {
        EXPECT_TRUE(policy.refused(ip(r.first))) << r.cidr << " " << r.first;
        EXPECT_TRUE(policy.refused(ip(r.last))) << r.cidr << " " << r.last;
        auto n = net(r.cidr);
        EXPECT_TRUE(n.contains(ip(r.first))) << r.cidr;
        EXPECT_TRUE(n.contains(ip(r.last))) << r.cidr;
        if (r.before) {
            EXPECT_FALSE(n.contains(ip(r.before))) << r.cidr << " " << r.before;
        }
        if (r.after) {
            EXPECT_FALSE(n.contains(ip(r.after))) << r.cidr << " " << r.after;
        }
    }
}

TEST(address_policy, addresses_just_outside_isolated_ranges_are_allowed) {
    wh::address_policy policy;
    for (auto a : {"1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
                   "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.0",
                   "192.0.3.0", "192.88.98.255", "192.88.100.0", "192.167.255.255", "192.169.0.0", "198.17.255.255",
                   "198.20.0.0", "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0", "223.255.255.255",
                   "::1:0:0", "64:ff9b::1:0:0", "64:ff9b:2::", "100:0:0:1::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
                   "2001:db9::", "2003::", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"})
        EXPECT_FALSE(policy.refused(ip(a))) << a;
}

TEST(address_policy, public_addresses_are_allowed) {
    wh::address_policy policy;
    for (auto a : {"8.8.8.8", "1.1.1.1", "93.184.216.34", "151.101.1.69", "172.217.0.0", "2606:4700:4700::1111",
                   "2001:4860:4860::8888", "2a00:1450:4001:80b::200e"})
        EXPECT_FALSE(policy.refused(ip(a))) << a;
}

TEST(address_policy, metadata_loopback_and_private_examples) {
    wh::address_policy policy;
    for (auto a : {"169.254.169.254", "fd00:ec2::254", "127.0.0.1", "::1", "::", "0.0.0.0", "10.1.2.3",
                   "192.168.1.1", "172.20.0.1", "fe80::1", "ff02::1", "100.100.100.200"})
        EXPECT_TRUE(policy.refused(ip(a))) << a;
}

TEST(address_policy, ipv4_mapped_and_compatible_ipv6_are_refused) {
    wh::address_policy policy;
    // Even for a public IPv4 address: the mapped form is refused as IPv6.
    EXPECT_TRUE(policy.refused(ip("::ffff:8.8.8.8")));
    EXPECT_TRUE(policy.refused(ip("::ffff:127.0.0.1")));
    EXPECT_TRUE(policy.refused(ip("::ffff:169.254.169.254")));
    EXPECT_TRUE(policy.refused(ip("::127.0.0.1")));
    EXPECT_TRUE(policy.refused(ip("64:ff9b::8.8.8.8")));  // NAT64
    // An IPv4 network never allows the IPv6 spelling of its addresses.
    wh::address_policy allow_v4({net("127.0.0.0/8")});
    EXPECT_FALSE(allow_v4.refused(ip("127.0.0.1")));
    EXPECT_TRUE(allow_v4.refused(ip("::ffff:127.0.0.1")));
}

TEST(address_policy, allow_net_exceptions_v4) {
    wh::address_policy policy({net("127.0.0.1"), net("10.20.0.0/16")});
    EXPECT_FALSE(policy.refused(ip("127.0.0.1")));
    EXPECT_TRUE(policy.refused(ip("127.0.0.2")));  // a bare address is a /32
    EXPECT_FALSE(policy.refused(ip("10.20.0.0")));
    EXPECT_FALSE(policy.refused(ip("10.20.255.255")));
    EXPECT_TRUE(policy.refused(ip("10.21.0.0")));
    EXPECT_TRUE(policy.refused(ip("10.19.255.255")));
    EXPECT_TRUE(policy.refused(ip("169.254.169.254")));
    EXPECT_FALSE(policy.refused(ip("8.8.8.8")));
    EXPECT_TRUE(policy.refused(ip("::1")));
}

TEST(address_policy, allow_net_exceptions_v6) {
    wh::address_policy policy({net("::1"), net("fd00:ec2::/32")});
    EXPECT_FALSE(policy.refused(ip("::1")));
    EXPECT_TRUE(policy.refused(ip("::2")));
    EXPECT_FALSE(policy.refused(ip("fd00:ec2::254")));
    EXPECT_FALSE(policy.refused(ip("fd00:ec2:ffff:ffff:ffff:ffff:ffff:ffff")));
    EXPECT_TRUE(policy.refused(ip("fd00:ec3::1")));
    EXPECT_TRUE(policy.refused(ip("127.0.0.1")));  // an IPv6 network allows no IPv4 address
    // An IPv6 network may allow IPv4-mapped addresses explicitly.
    wh::address_policy mapped({net("::ffff:127.0.0.0/104")});
    EXPECT_FALSE(mapped.refused(ip("::ffff:127.0.0.1")));
    EXPECT_TRUE(mapped.refused(ip("::ffff:128.0.0.1")));
    EXPECT_TRUE(mapped.refused(ip("127.0.0.1")));
}

TEST(address_policy, allow_everything) {
    wh::address_policy policy({net("0.0.0.0/0"), net("::/0")});
    EXPECT_FALSE(policy.refused(ip("127.0.0.1")));
    EXPECT_FALSE(policy.refused(ip("169.254.169.254")));
    EXPECT_FALSE(policy.refused(ip("fd00:ec2::254")));
    EXPECT_FALSE(policy.refused(ip("::ffff:10.0.0.1")));
}

TEST(parse_network, forms) {
    auto a = wh::parse_network("10.0.0.0/8");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->v4);
    EXPECT_EQ(a->prefix, 8u);
    EXPECT_EQ(a->bytes[0], 10);
    auto b = wh::parse_network("192.168.1.7");
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->v4);
    EXPECT_EQ(b->prefix, 32u);
    auto c = wh::parse_network("fd00::/8");
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->v4);
    EXPECT_EQ(c->prefix, 8u);
    EXPECT_EQ(c->bytes[0], 0xfd);
    auto d = wh::parse_network("::1");
    ASSERT_TRUE(d);
    EXPECT_FALSE(d->v4);
    EXPECT_EQ(d->prefix, 128u);
    EXPECT_EQ(d->bytes[15], 1);
    ASSERT_TRUE(wh::parse_network("0.0.0.0/0"));
    EXPECT_EQ(wh::parse_network("0.0.0.0/0")->prefix, 0u);
    EXPECT_EQ(wh::parse_network("::/128")->prefix, 128u);
    EXPECT_EQ(wh::parse_network("1.2.3.4/32")->prefix, 32u);
}

TEST(parse_network, host_bits_beyond_the_prefix_are_ignored_when_matching) {
    auto n = net("10.1.2.3/8");
    EXPECT_TRUE(n.contains(ip("10.200.0.1")));
    EXPECT_FALSE(n.contains(ip("11.1.2.3")));
    auto m = net("172.16.0.0/12");  // prefix inside a byte
    EXPECT_TRUE(m.contains(ip("172.31.0.1")));
    EXPECT_FALSE(m.contains(ip("172.32.0.1")));
}

TEST(parse_network, refuses_malformed) {
    for (auto bad : {"", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0.0/+8",
                     "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0/8", "256.0.0.0/8", "example.com", "10.0.0.0/x",
                     "fd00::/0x8", "10.0.0.0/99999999999"})
        EXPECT_FALSE(wh::parse_network(bad)) << bad;
}

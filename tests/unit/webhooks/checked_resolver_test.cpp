// webhooks/delivery/checked_resolver: which resolved addresses an attempt may connect to
// (the refused networks of docs/WEBHOOKS.md, "Turning the API on") — refused ones dropped, the rest kept in resolver order with the port,
// and the outcome when none is left (blocked) or there was none (dns).
#include "webhooks/delivery/checked_resolver.hpp"

#include <gtest/gtest.h>

namespace wh = ssegw::webhooks;

namespace {

boost::asio::ip::address addr(char const* s) { return boost::asio::ip::make_address(s); }

TEST(check_addresses, refused_addresses_are_dropped_and_the_rest_kept_in_order) {
    wh::address_policy strict;
    auto r = wh::check_addresses({addr("10.0.0.1"), addr("93.184.216.34"), addr("::1"), addr("2606:2800:220:1::1")}, 8443,
                                 "hooks.example.com", strict);
    EXPECT_EQ(r.result, wh::outcome::success);
    EXPECT_EQ(r.detail, "");
    ASSERT_EQ(r.endpoints.size(), 2u);
    EXPECT_EQ(r.endpoints[0], ssegw::tcp::endpoint(addr("93.184.216.34"), 8443));
    EXPECT_EQ(r.endpoints[1], ssegw::tcp::endpoint(addr("2606:2800:220:1::1"), 8443));
}

TEST(check_addresses, all_refused_is_blocked_naming_them) {
    wh::address_policy strict;
    auto r = wh::check_addresses({addr("127.0.0.1"), addr("::1")}, 443, "localhost", strict);
    EXPECT_EQ(r.result, wh::outcome::blocked);
    EXPECT_EQ(r.detail, "every address of localhost is refused (127.0.0.1, ::1)");
    EXPECT_TRUE(r.endpoints.empty());

    auto many = wh::check_addresses({addr("10.0.0.1"), addr("10.0.0.2"), addr("10.0.0.3"), addr("10.0.0.4"), addr("10.0.0.5")},
                                    443, "internal.example", strict);
    EXPECT_EQ(many.detail, "every address of internal.example is refused (10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, …)");
    // IPv4-mapped IPv6 and the cloud metadata addresses are refused as such.
    EXPECT_EQ(wh::check_addresses({addr("::ffff:93.184.216.34")}, 443, "h", strict).result, wh::outcome::blocked);
    EXPECT_EQ(wh::check_addresses({addr("169.254.169.254")}, 80, "h", strict).result, wh::outcome::blocked);
    EXPECT_EQ(wh::check_addresses({addr("fd00:ec2::254")}, 80, "h", strict).result, wh::outcome::blocked);
}

TEST(check_addresses, an_operator_network_lets_its_addresses_through) {
    wh::address_policy loopback({*wh::parse_network("127.0.0.0/8")});
    auto r = wh::check_addresses({addr("::1"), addr("127.0.0.1")}, 9000, "localhost", loopback);
    EXPECT_EQ(r.result, wh::outcome::success);
    ASSERT_EQ(r.endpoints.size(), 1u);
    EXPECT_EQ(r.endpoints[0], ssegw::tcp::endpoint(addr("127.0.0.1"), 9000));
}

TEST(check_addresses, no_address_is_dns) {
    auto r = wh::check_addresses({}, 443, "empty.example", wh::address_policy{});
    EXPECT_EQ(r.result, wh::outcome::dns);
    EXPECT_EQ(r.detail, "no address for empty.example");
}

} // namespace

// The worker's slot accounting: --max-in-flight in all, --max-in-flight-per-webhook per user.
#include "webhookd/flight_slots.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace wd = ssegw::webhookd;

TEST(flight_slots, counts_against_both_caps) {
    wd::flight_slots s(3, 2);
    EXPECT_EQ(s.free(), 3u);
    s.take("a");
    s.take("a");
    EXPECT_FALSE(s.webhook_has_room("a")) << "a is at its cap of 2";
    EXPECT_TRUE(s.webhook_has_room("b"));
    EXPECT_EQ(s.free(), 1u);
    EXPECT_TRUE(s.reserve()) << "the last free slot, for a claim";
    EXPECT_FALSE(s.reserve()) << "none left";
    EXPECT_EQ(s.free(), 0u);
    EXPECT_EQ(s.attempts(), 2u) << "a reservation is no attempt yet";
    s.assign("b");
    EXPECT_EQ(s.attempts(), 3u);
    auto busy = s.busy();
    std::sort(busy.begin(), busy.end());
    EXPECT_EQ(busy, (std::vector<std::pair<std::string, std::size_t>>{{"a", 2}, {"b", 1}}));
    s.release("a");
    EXPECT_TRUE(s.webhook_has_room("a"));
    s.release("b");
    s.release("a");
    EXPECT_EQ(s.held(), 0u);
    EXPECT_TRUE(s.busy().empty()) << "a webhook with nothing in flight is forgotten";
}

TEST(flight_slots, unreserve_returns_an_unused_reservation) {
    wd::flight_slots s(2, 1);
    ASSERT_TRUE(s.reserve());
    ASSERT_TRUE(s.reserve());
    s.unreserve();
    EXPECT_EQ(s.free(), 1u);
    s.unreserve();
    s.unreserve();  // nothing reserved: no effect
    EXPECT_EQ(s.free(), 2u);
    s.take("a");
    s.unreserve();  // an attempt's slot is not a reservation
    EXPECT_EQ(s.attempts(), 1u);
}

// webhooks/engine/retry_delay: the schedule's step for each attempt, the jitter factor applied,
// and a receiver's Retry-After winning only when later, never beyond its cap.
#include "webhooks/engine/retry_delay.hpp"

#include <gtest/gtest.h>

namespace wh = ssegw::webhooks;

namespace {
constexpr wh::retry_schedule schedule{60, 300, 1800, 7200, 18000};
}

TEST(retry_delay, the_schedule_step_of_each_attempt) {
    EXPECT_EQ(wh::retry_delay_ms(schedule, 1, 1.0, std::nullopt, 3600), 60000);
    EXPECT_EQ(wh::retry_delay_ms(schedule, 2, 1.0, std::nullopt, 3600), 300000);
    EXPECT_EQ(wh::retry_delay_ms(schedule, 5, 1.0, std::nullopt, 3600), 18000000);
    EXPECT_EQ(wh::retry_delay_ms(schedule, 9, 1.0, std::nullopt, 3600), 18000000) << "clamped to the last step";
}

TEST(retry_delay, jitter_scales_the_step) {
    EXPECT_EQ(wh::retry_delay_ms(schedule, 1, 0.8, std::nullopt, 3600), 48000);
    EXPECT_EQ(wh::retry_delay_ms(schedule, 1, 1.2, std::nullopt, 3600), 72000);
}

TEST(retry_delay, retry_after_only_when_later_and_capped) {
    EXPECT_EQ(wh::retry_delay_ms(schedule, 1, 1.0, 30, 3600), 60000) << "earlier than the schedule: ignored";
    EXPECT_EQ(wh::retry_delay_ms(schedule, 1, 1.0, 120, 3600), 120000);
    EXPECT_EQ(wh::retry_delay_ms(schedule, 1, 1.0, 86400, 3600), 3600000) << "capped by --retry-after-max";
    EXPECT_EQ(wh::retry_delay_ms(schedule, 1, 1.0, 0, 3600), 60000);
}

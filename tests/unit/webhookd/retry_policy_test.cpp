// webhookd/retry_policy: the schedule, its jitter and Retry-After.
#include "webhookd/retry_policy.hpp"

#include <gtest/gtest.h>

using namespace std::chrono;
using ssegw::webhookd::retry_policy;

namespace {

retry_policy const standard{{seconds(60), seconds(300), seconds(1800), seconds(7200), seconds(18000)}, 0.2, seconds(3600)};

} // namespace

TEST(retry_policy, follows_the_schedule_without_jitter) {
    EXPECT_EQ(standard.delay_after(1, std::nullopt, 1.0), milliseconds(60000));
    EXPECT_EQ(standard.delay_after(2, std::nullopt, 1.0), milliseconds(300000));
    EXPECT_EQ(standard.delay_after(5, std::nullopt, 1.0), milliseconds(18000000));
}

TEST(retry_policy, jitter_scales_the_delay) {
    EXPECT_EQ(standard.delay_after(1, std::nullopt, 0.8), milliseconds(48000));
    EXPECT_EQ(standard.delay_after(1, std::nullopt, 1.2), milliseconds(72000));
    for (int i = 0; i < 1000; ++i) {
        auto d = standard.delay_after(3, std::nullopt);
        EXPECT_GE(d, milliseconds(1440000));
        EXPECT_LE(d, milliseconds(2160000));
    }
}

TEST(retry_policy, retry_after_pushes_later_never_earlier) {
    EXPECT_EQ(standard.delay_after(1, seconds(600), 1.0), milliseconds(600000));
    EXPECT_EQ(standard.delay_after(1, seconds(10), 1.0), milliseconds(60000));
    EXPECT_EQ(standard.delay_after(1, seconds(0), 1.0), milliseconds(60000));
}

TEST(retry_policy, retry_after_is_capped) {
    EXPECT_EQ(standard.delay_after(1, seconds(86400), 1.0), milliseconds(3600000));
    // The schedule itself is not capped by it.
    EXPECT_EQ(standard.delay_after(5, seconds(86400), 1.0), milliseconds(18000000));
}

TEST(retry_policy, attempts_past_the_schedule_use_its_last_step) {
    EXPECT_EQ(standard.delay_after(9, std::nullopt, 1.0), milliseconds(18000000));
    EXPECT_EQ(standard.delay_after(0, std::nullopt, 1.0), milliseconds(60000));
}

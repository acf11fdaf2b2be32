#include "gateway/resume_plan.hpp"

#include <gtest/gtest.h>

namespace ssegw::gateway {
namespace {

sse::event_id id(std::uint64_t ms, std::uint64_t seq = 0) { return {ms, seq}; }

log_info untrimmed(std::uint64_t n) {  // entries 1-0 .. n-0, nothing trimmed or deleted
    return {n, n, id(n), {}, id(1)};
}

TEST(resume_plan, missing_log_is_unknown_id) {
    auto p = plan_resume(id(5), std::nullopt);
    EXPECT_EQ(p.reset_reason, "unknown_id");
    EXPECT_FALSE(p.after);
}

TEST(resume_plan, id_inside_the_log_replays_after_it) {
    auto p = plan_resume(id(3), untrimmed(10));
    EXPECT_EQ(p.reset_reason, "");
    ASSERT_TRUE(p.after);
    EXPECT_EQ(*p.after, id(3));
}

TEST(resume_plan, latest_id_replays_after_it_without_reset) {
    auto p = plan_resume(id(10), untrimmed(10));
    EXPECT_EQ(p.reset_reason, "");
    EXPECT_EQ(*p.after, id(10));
}

TEST(resume_plan, id_newer_than_the_log_is_unknown) {
    auto p = plan_resume(id(11), untrimmed(10));
    EXPECT_EQ(p.reset_reason, "unknown_id");
    EXPECT_FALSE(p.after);
}

TEST(resume_plan, id_before_a_trimmed_start_is_truncated) {
    log_info info{4, 10, id(10), {}, id(7)};  // 1..6 trimmed away
    auto p = plan_resume(id(2), info);
    EXPECT_EQ(p.reset_reason, "history_truncated");
    EXPECT_FALSE(p.after);
}

TEST(resume_plan, old_id_without_trimming_replays_everything_after_it) {
    auto p = plan_resume(id(0, 1), untrimmed(10));
    EXPECT_EQ(p.reset_reason, "");
    EXPECT_EQ(*p.after, id(0, 1));
}

TEST(resume_plan, deleted_entry_after_the_id_is_truncated) {
    log_info info{9, 10, id(10), id(6), id(1)};
    EXPECT_EQ(plan_resume(id(5), info).reset_reason, "history_truncated");
    EXPECT_EQ(plan_resume(id(6), info).reset_reason, "");  // the deletion is not after the id
}

} // namespace
} // namespace ssegw::gateway

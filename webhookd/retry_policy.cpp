#include "webhookd/retry_policy.hpp"

#include "common/jitter.hpp"

#include <algorithm>

namespace ssegw::webhookd {

std::chrono::milliseconds retry_policy::delay_after(unsigned failed_attempt,
                                                    std::optional<std::chrono::seconds> retry_after,
                                                    double factor) const {
    auto index = std::clamp<unsigned>(failed_attempt, 1, schedule.size()) - 1;
    auto planned = std::chrono::milliseconds(
        static_cast<std::int64_t>(std::chrono::duration<double, std::milli>(schedule[index]).count() * factor));
    if (!retry_after) return planned;
    // The receiver asked for a later retry: honour it up to the cap, never retry sooner than planned.
    auto asked = std::chrono::milliseconds(std::min(*retry_after, retry_after_max));
    return std::max(planned, asked);
}

std::chrono::milliseconds retry_policy::delay_after(unsigned failed_attempt,
                                                    std::optional<std::chrono::seconds> retry_after) const {
    return delay_after(failed_attempt, retry_after, jittered(1.0 - jitter, 1.0 + jitter));
}

} // namespace ssegw::webhookd

// When the next automatic attempt of a delivery is due: the retry schedule with jitter, pushed
// later by a receiver's Retry-After (capped), never earlier. Pure, apart from the jitter draw.
#pragma once

#include <array>
#include <chrono>
#include <optional>

namespace ssegw::webhookd {

struct retry_policy {
    std::array<std::chrono::seconds, 5> schedule;
    double jitter = 0.2;                        // each delay times a uniform factor in [1-jitter, 1+jitter]
    std::chrono::seconds retry_after_max{3600};

    /// The delay before attempt `failed_attempt + 1`, after attempt `failed_attempt` (1-5) failed.
    /// `factor` is the jitter draw in [1-jitter, 1+jitter]; the overload without draws one.
    std::chrono::milliseconds delay_after(unsigned failed_attempt, std::optional<std::chrono::seconds> retry_after,
                                          double factor) const;
    std::chrono::milliseconds delay_after(unsigned failed_attempt, std::optional<std::chrono::seconds> retry_after) const;
};

} // namespace ssegw::webhookd

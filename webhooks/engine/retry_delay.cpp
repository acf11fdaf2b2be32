#include "webhooks/engine/retry_delay.hpp"

#include <algorithm>
#include <cmath>

namespace ssegw::webhooks {

std::int64_t retry_delay_ms(retry_schedule const& schedule, int attempt_number, double jitter_factor,
                            std::optional<std::int64_t> retry_after_s, std::int64_t retry_after_max_s) {
    auto const n = static_cast<std::size_t>(std::clamp(attempt_number, 1, 5));
    auto const jittered =
        std::max<std::int64_t>(0, std::llround(static_cast<double>(schedule[n - 1]) * 1000.0 * jitter_factor));
    if (!retry_after_s || *retry_after_s <= 0) return jittered;
    return std::max(jittered, std::min(*retry_after_s, retry_after_max_s) * 1000);
}

} // namespace ssegw::webhooks

// When the next automatic attempt is due: the retry schedule's delay times a jitter factor, or
// the receiver's Retry-After, capped, when that is later. Pure.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace ssegw::webhooks {

/// --retry-schedule: seconds before retries 1…5.
using retry_schedule = std::array<std::int64_t, 5>;

/// The delay in ms between the end of attempt `attempt_number` (1…5) and the next one.
/// `jitter_factor`: the caller's uniform draw in [1−F, 1+F] (ssegw::jittered), so that retries of
/// many deliveries spread out. `retry_after_s`: the response's Retry-After in seconds, if it had one.
std::int64_t retry_delay_ms(retry_schedule const& schedule, int attempt_number, double jitter_factor,
                            std::optional<std::int64_t> retry_after_s, std::int64_t retry_after_max_s);

} // namespace ssegw::webhooks

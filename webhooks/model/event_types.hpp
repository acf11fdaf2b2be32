// The catalogue of platform events a webhook can subscribe to, in the order the API lists them,
// plus the test event, which only a test request sends. Pure.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace ssegw::webhooks {

inline constexpr std::array<std::string_view, 15> event_types = {
    "analysis_started", "analysis_stopped", "analysis_error",  "alert_triggered",         "device_offline",
    "device_online",    "device_analysis_error", "node_offline", "node_online",           "node_error",
    "quota_warning",    "quota_exceeded",   "billing_cycle_completed", "maintenance_scheduled", "system_announcement",
};

/// Sent by POST …/webhook/test only: not subscribable, not publishable.
inline constexpr std::string_view test_event_type = "webhook_test";

/// The catalogue position of `type`, or nullopt for anything else (the test type included).
inline std::optional<std::size_t> event_type_index(std::string_view type) {
    for (std::size_t i = 0; i < event_types.size(); ++i)
        if (event_types[i] == type) return i;
    return std::nullopt;
}

} // namespace ssegw::webhooks

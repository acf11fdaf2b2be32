// Where a resumed stream starts (docs/API.md, Resume): after the client's Last-Event-ID,
// or — when events after it are gone or the id is unknown — from the log's start after an
// `event: reset`. Pure logic over XINFO STREAM's fields, unit-tested without Redis.
#pragma once

#include "common/sse/event_id.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace ssegw::gateway {

/// The XINFO STREAM fields the decision needs (Redis 7).
struct log_info {
    std::uint64_t length = 0;
    std::uint64_t entries_added = 0;
    sse::event_id last_generated;
    sse::event_id max_deleted;     // 0-0 when nothing was deleted
    sse::event_id recorded_first;  // 0-0 for an empty stream
};

struct resume_plan {
    /// "history_truncated" or "unknown_id" when the client must re-sync; empty otherwise.
    std::string_view reset_reason;
    /// Replay entries after this id; nullopt: every retained entry.
    std::optional<sse::event_id> after;
};

/// `info` is nullopt when the log does not exist.
resume_plan plan_resume(sse::event_id last, std::optional<log_info> const& info);

} // namespace ssegw::gateway

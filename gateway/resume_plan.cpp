#include "gateway/resume_plan.hpp"

namespace ssegw::gateway {

resume_plan plan_resume(sse::event_id last, std::optional<log_info> const& info) {
    if (!info) return {"unknown_id", std::nullopt};
    if (last > info->last_generated) return {"unknown_id", std::nullopt};
    // XDEL moves max-deleted-entry-id; trimming does not (Redis 7), so both are checked.
    if (info->max_deleted > last) return {"history_truncated", std::nullopt};
    if (info->entries_added > info->length && last < info->recorded_first) return {"history_truncated", std::nullopt};
    return {"", last};
}

} // namespace ssegw::gateway

// Reads replay logs (Redis streams) for resume and for filling a channel's gap after a Redis
// outage. Control thread only; every call answers exactly once through its handler.
#pragma once

#include "common/redis/client.hpp"
#include "common/sse/event_id.hpp"
#include "gateway/resume_plan.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ssegw::gateway {

struct log_entry {
    std::string id;
    sse::event_id parsed_id;
    std::string event;
    std::string data;
};

struct replay_result {
    bool ok = false;                // false: Redis failed; nothing else is meaningful
    std::string reset_reason;       // empty unless the client must re-sync
    std::vector<log_entry> entries; // in log order
};

class log_reader {
public:
    explicit log_reader(redis::client& redis) : redis_(redis) {}

    /// Entries after `last` in `log_key`, or a reset and every retained entry (plan_resume).
    void replay(std::string const& log_key, sse::event_id last, std::function<void(replay_result)> done);
    /// Entries strictly after `after` (no reset logic): a channel's gap after a Redis blip.
    void read_after(std::string const& log_key, sse::event_id after, std::function<void(replay_result)> done);
    /// The log's newest entry id, if any.
    void newest(std::string const& log_key, std::function<void(std::optional<sse::event_id>)> done);

private:
    redis::client& redis_;
};

/// Parses an XRANGE reply; entries without a data field are skipped. Exposed for tests.
std::vector<log_entry> parse_xrange(redisReply const* r);
/// Parses an XINFO STREAM reply (RESP2 flat map). Exposed for tests.
std::optional<log_info> parse_xinfo(redisReply const* r);

} // namespace ssegw::gateway

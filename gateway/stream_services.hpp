// What the worker threads need from the control thread, and nothing more: the settings, the
// metrics, and the Redis-backed decisions (open a stream, read a replay log, a channel's first or
// last stream, a lease to free). Workers and sessions see this interface, never the server, so
// the stream side does not depend on how the control side is put together. Every call may be made
// from any worker thread; answers come back on the executor passed in.
#pragma once

#include "common/net.hpp"
#include "common/sse/event_id.hpp"
#include "common/sse/frame.hpp"
#include "gateway/config.hpp"
#include "gateway/stream_metrics.hpp"
#include "gateway/stream_opener.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ssegw::gateway {

class stream_services {
public:
    virtual ~stream_services() = default;

    virtual config const& cfg() const = 0;
    virtual stream_metrics& stats() = 0;

    /// Decides a stream request (or a ticket); `done` runs on `reply_to`.
    virtual void open_stream(open_request req, net::any_io_executor reply_to, std::function<void(open_result)> done) = 0;
    /// Reads a resuming stream's replay log; `done(ok, reset_reason, frames)` runs on `reply_to`
    /// (ok=false: Redis failed; reset_reason empty unless the client must re-sync).
    using replay_handler = std::function<void(bool ok, std::string reset, std::vector<sse::frame_ptr>)>;
    virtual void replay(std::string log_key, sse::event_id last, net::any_io_executor reply_to, replay_handler done) = 0;
    /// Worker `worker` got its first stream of `channel` (joined; `epoch` names that hub entry) or lost its last.
    virtual void channel_changed(unsigned worker, std::string channel, bool joined, std::uint64_t epoch) = 0;
    /// A stream holding a lease ended.
    virtual void release_lease(std::string user_id, std::string member) = 0;
};

} // namespace ssegw::gateway

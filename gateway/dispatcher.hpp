// The hot path's first half, on the control thread: which workers hold streams of which channel
// (so Redis gets one SUBSCRIBE per channel per instance), each Redis message parsed and framed
// once and the one shared frame posted to every worker with readers. It also keeps each
// channel's delivery gap-free: a channel goes live on a worker only once its SUBSCRIBE is
// acknowledged, and after a lost subscription the missed entries are read from the channel's
// replay log before live messages flow again; ids never go backwards or repeat.
#pragma once

#include "common/redis/subscriber.hpp"
#include "common/sse/event_id.hpp"
#include "common/sse/frame.hpp"
#include "gateway/log_reader.hpp"
#include "gateway/stream_metrics.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ssegw::gateway {

class worker;

class dispatcher {
public:
    dispatcher(std::vector<std::unique_ptr<worker>>& workers, stream_metrics& m, redis::endpoint const& ep,
               redis::client& commands, net::any_io_executor control);

    redis::subscriber& subscriber() noexcept { return *sub_; }
    /// Subscribed to every channel with readers, and no gap is still being filled.
    bool ready() const;

    /// Control thread. Worker `w` got its first stream of `channel` (joined; `epoch` names that
    /// hub entry) or lost its last one.
    void channel_changed(unsigned w, std::string const& channel, bool joined, std::uint64_t epoch);

private:
    struct channel_state {
        std::vector<std::uint64_t> epochs;  // per worker: its hub entry's epoch, 0 = no readers
        bool live = false;                  // subscribed, and any gap filled
        bool filling = false;               // reading the gap; live messages wait in `held`
        std::optional<sse::event_id> last;  // newest id dispatched
        std::vector<std::string> held;
    };
    void on_message(std::string_view channel, std::string_view payload);
    void on_subscribed(std::string const& channel);
    void on_lost();
    void go_live(std::string const& channel, channel_state& st);
    void fill_gap(std::string const& channel);
    void tell_live(unsigned w, std::string const& channel, std::uint64_t epoch);
    /// Ids on a channel only grow: anything not newer than the last dispatched was delivered.
    static bool is_new(channel_state const& st, sse::event_id id) { return !st.last || *st.last < id; }
    void dispatch(std::string const& channel, channel_state& st, std::string_view payload);
    void dispatch_frame(std::string const& channel, channel_state& st, sse::frame_ptr f);
    void revoke(std::string_view payload);

    std::vector<std::unique_ptr<worker>>& workers_;
    stream_metrics& metrics_;
    log_reader logs_;
    net::any_io_executor control_;
    std::unordered_map<std::string, channel_state> channels_;
    std::uint64_t subscription_ = 0;  // bumped on every loss: log reads from before it are stale
    std::unique_ptr<redis::subscriber> sub_;
};

} // namespace ssegw::gateway

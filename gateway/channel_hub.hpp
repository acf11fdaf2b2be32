// One worker's index of its open streams by channel. Touched only by that worker's thread, so
// it takes no locks; the control thread learns of a channel's first and last stream through
// the callback (which the owner posts over).
#pragma once

#include "common/sse/frame.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ssegw::gateway {

class sse_session;

class channel_hub {
public:
    /// (channel, true) when a channel gets its first stream on this worker, (channel, false)
    /// when its last one leaves.
    using change_fn = std::function<void(std::string const& channel, bool joined)>;
    explicit channel_hub(change_fn on_change) : on_change_(std::move(on_change)) {}

    void join(sse_session* s);
    void leave(sse_session* s);

    /// Queues the one shared frame on every stream of the channel; returns how many got it.
    std::size_t deliver(std::string const& channel, sse::frame_ptr const& f);

    /// Visits every stream. The visitor may end streams (they leave later, from their destructor).
    template <class F>
    void for_each(F&& f) {
        for (auto& [ch, list] : channels_)
            for (auto* s : list) f(*s);
    }

    std::size_t streams() const noexcept { return streams_; }

private:
    std::unordered_map<std::string, std::vector<sse_session*>> channels_;
    std::size_t streams_ = 0;
    change_fn on_change_;
};

} // namespace ssegw::gateway

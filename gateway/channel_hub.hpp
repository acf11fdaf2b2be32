// One worker's index of its open streams by channel. Touched only by that worker's thread, so
// it takes no locks. The control thread learns of a channel's first and last stream here through
// the callback, and answers with set_live() once the channel's subscription is in place: streams
// that joined before that wait, so none starts before it can see every later event.
#pragma once

#include "common/sse/frame.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ssegw::gateway {

/// What the hub holds: a stream of this worker, reading one channel.
class hub_member {
public:
    virtual std::string const& channel() const noexcept = 0;
    /// The channel's subscription is in place.
    virtual void go_live() = 0;
    /// The hot path: queue one shared frame; false if the stream did not take it.
    virtual bool enqueue_event(sse::frame_ptr const& f) = 0;

protected:
    ~hub_member() = default;

private:
    friend class channel_hub;
    std::size_t hub_slot_ = 0;  // index in its channel's list: leave() is O(1)
};

class channel_hub {
public:
    /// (channel, true, epoch) when a channel gets its first stream on this worker — epoch names
    /// this hub entry, so a late set_live() for an earlier entry is ignored; (channel, false, 0)
    /// when its last one leaves.
    using change_fn = std::function<void(std::string const& channel, bool joined, std::uint64_t epoch)>;
    explicit channel_hub(change_fn on_change) : on_change_(std::move(on_change)) {}

    void join(hub_member* s);
    void leave(hub_member* s);
    void set_live(std::string const& channel, std::uint64_t epoch);

    /// Queues the one shared frame on every stream of the channel; returns how many took it.
    std::size_t deliver(std::string const& channel, sse::frame_ptr const& f);

    /// Visits every stream. The visitor may end streams (they leave later, from their destructor).
    /// Visits every stream, as the `Member` type they all are. The visitor may end streams (they
    /// leave later, from their destructor).
    template <class Member, class F>
    void for_each(F&& f) {
        for (auto& [ch, entry] : channels_)
            for (auto* s : entry.sessions) f(static_cast<Member&>(*s));
    }

    std::size_t streams() const noexcept { return streams_; }

private:
    struct entry {
        std::vector<hub_member*> sessions;
        std::uint64_t epoch = 0;
        bool live = false;
    };
    std::unordered_map<std::string, entry> channels_;
    std::size_t streams_ = 0;
    std::uint64_t next_epoch_ = 0;
    change_fn on_change_;
};

} // namespace ssegw::gateway

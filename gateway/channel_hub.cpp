#include "gateway/channel_hub.hpp"

#include "gateway/sse_session.hpp"

namespace ssegw::gateway {

void channel_hub::join(sse_session* s) {
    auto& list = channels_[s->channel()];
    s->hub_slot_ = list.size();
    list.push_back(s);
    ++streams_;
    if (list.size() == 1) on_change_(s->channel(), true);
}

void channel_hub::leave(sse_session* s) {
    auto it = channels_.find(s->channel());
    if (it == channels_.end()) return;
    auto& list = it->second;
    auto slot = s->hub_slot_;
    if (slot >= list.size() || list[slot] != s) return;
    // Swap-remove keeps leave O(1) when thousands share a channel.
    list[slot] = list.back();
    list[slot]->hub_slot_ = slot;
    list.pop_back();
    --streams_;
    if (list.empty()) {
        std::string channel = it->first;
        channels_.erase(it);
        on_change_(channel, false);
    }
}

std::size_t channel_hub::deliver(std::string const& channel, sse::frame_ptr const& f) {
    auto it = channels_.find(channel);
    if (it == channels_.end()) return 0;
    std::size_t n = 0;
    for (auto* s : it->second) n += s->enqueue_event(f) ? 1 : 0;
    return n;
}

} // namespace ssegw::gateway

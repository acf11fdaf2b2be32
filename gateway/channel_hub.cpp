#include "gateway/channel_hub.hpp"

namespace ssegw::gateway {

void channel_hub::join(hub_member* s) {
    auto [it, created] = channels_.try_emplace(s->channel());
    auto& e = it->second;
    if (created) e.epoch = ++next_epoch_;
    s->hub_slot_ = e.sessions.size();
    e.sessions.push_back(s);
    ++streams_;
    if (created) on_change_(s->channel(), true, e.epoch);
    if (e.live) s->go_live();
}

void channel_hub::leave(hub_member* s) {
    auto it = channels_.find(s->channel());
    if (it == channels_.end()) return;
    auto& list = it->second.sessions;
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
        on_change_(channel, false, 0);
    }
}

void channel_hub::set_live(std::string const& channel, std::uint64_t epoch) {
    auto it = channels_.find(channel);
    if (it == channels_.end() || it->second.epoch != epoch || it->second.live) return;
    it->second.live = true;
    // go_live() may cut a stream, but a cut stream leaves only from its destructor, later.
    for (auto* s : it->second.sessions) s->go_live();
}

std::size_t channel_hub::deliver(std::string const& channel, sse::frame_ptr const& f) {
    auto it = channels_.find(channel);
    if (it == channels_.end()) return 0;
    std::size_t n = 0;
    for (auto* s : it->second.sessions) n += s->enqueue_event(f) ? 1 : 0;
    return n;
}

} // namespace ssegw::gateway

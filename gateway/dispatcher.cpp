#include "gateway/dispatcher.hpp"

#include "common/envelope.hpp"
#include "common/hex.hpp"
#include "common/redis/keys.hpp"
#include "common/log.hpp"
#include "common/sse/frame.hpp"
#include "gateway/worker.hpp"

#include <chrono>

namespace ssegw::gateway {
dispatcher::dispatcher(std::vector<std::unique_ptr<worker>>& workers, stream_metrics& m, redis::endpoint const& ep,
                       redis::client& commands, net::any_io_executor control)
    : workers_(workers), metrics_(m), logs_(commands), control_(control) {
    sub_ = std::make_unique<redis::subscriber>(
        std::move(control), ep, std::vector<std::string>{std::string(redis::keys::revoked_channel)},
        [this](std::string_view channel, std::string_view payload) { on_message(channel, payload); });
    sub_->on_subscribed([this](std::string const& channel) { on_subscribed(channel); });
    sub_->on_down([this] { on_lost(); });
}

void dispatcher::channel_changed(unsigned w, std::string const& channel, bool joined, std::uint64_t epoch) {
    auto& st = channels_[channel];
    st.epochs.resize(workers_.size());
    bool had = st.epochs[w] != 0;
    st.epochs[w] = joined ? epoch : 0;
    if (joined && !had) sub_->add_ref(channel);
    if (!joined && had) sub_->release(channel);
    if (joined && st.live) tell_live(w, channel, epoch);
    for (auto e : st.epochs)
        if (e) return;
    channels_.erase(channel);  // no readers left anywhere
}

bool dispatcher::ready() const {
    if (!sub_->ready()) return false;
    for (auto const& [channel, st] : channels_)
        if (st.filling) return false;
    return true;
}

void dispatcher::on_subscribed(std::string const& channel) {
    auto it = channels_.find(channel);
    if (it == channels_.end()) return;
    auto& st = it->second;
    if (!st.last) {
        // First subscription: note where the log stands before any stream goes live, so a later
        // outage knows where its gap starts (an empty log: everything in it will be newer).
        logs_.newest(redis::keys::log_of(channel), [this, channel, gen = subscription_](std::optional<sse::event_id> id) {
            auto i = channels_.find(channel);
            if (i == channels_.end() || gen != subscription_) return;  // lost meanwhile: asked again
            auto& last = i->second.last;
            if (!last || (id && *last < *id)) last = id.value_or(last.value_or(sse::event_id{}));
            go_live(channel, i->second);
        });
        return;
    }
    // Re-subscribed after a loss: whatever was published meanwhile is only in the log.
    st.filling = true;
    fill_gap(channel);
}

void dispatcher::fill_gap(std::string const& channel) {
    auto it = channels_.find(channel);
    if (it == channels_.end() || !it->second.filling || !it->second.last) return;
    // An answer from before a later loss is stale: the log read it made ran before this
    // subscription existed, so it cannot close this subscription's gap.
    logs_.read_after(redis::keys::log_of(channel), *it->second.last, [this, channel, gen = subscription_](replay_result r) {
        auto i = channels_.find(channel);
        if (i == channels_.end() || !i->second.filling || gen != subscription_) return;
        auto& s = i->second;
        if (!r.ok) {
            // The commands connection may come back after the subscriber: try again shortly, and
            // stay not-ready meanwhile rather than go live with a hole.
            auto timer = std::make_shared<net::steady_timer>(control_, std::chrono::milliseconds(100));
            timer->async_wait([this, timer, channel, gen](error_code ec) {
                if (!ec && gen == subscription_) fill_gap(channel);
            });
            return;
        }
        for (auto const& e : r.entries) {
            if (!is_new(s, e.parsed_id)) continue;
            dispatch_frame(channel, s, sse::frame::event(e.id, e.event, e.data));
        }
        if (!r.entries.empty()) log::info("gap filled", {{"channel", channel}, {"events", r.entries.size()}});
        s.filling = false;
        auto held = std::move(s.held);
        for (auto const& payload : held) dispatch(channel, s, payload);
        go_live(channel, s);
    });
}

void dispatcher::on_lost() {
    // New streams wait until their channel is subscribed again and its gap is filled.
    ++subscription_;
    for (auto& [channel, st] : channels_) {
        st.live = false;
        st.filling = false;
        st.held.clear();  // the gap fill reads these from the log again
    }
}

void dispatcher::go_live(std::string const& channel, channel_state& st) {
    st.live = true;
    for (std::size_t w = 0; w < st.epochs.size(); ++w)
        if (st.epochs[w]) tell_live(static_cast<unsigned>(w), channel, st.epochs[w]);
}

void dispatcher::tell_live(unsigned w, std::string const& channel, std::uint64_t epoch) {
    auto* wk = workers_[w].get();
    net::post(wk->ioc(), [wk, channel, epoch] { wk->hub().set_live(channel, epoch); });
}

void dispatcher::on_message(std::string_view channel, std::string_view payload) {
    if (channel == redis::keys::revoked_channel) return revoke(payload);
    auto it = channels_.find(std::string(channel));
    if (it == channels_.end()) {
        metrics_.drop(drop_reason::no_subscribers);  // an UNSUBSCRIBE was still in flight
        return;
    }
    if (it->second.filling) {
        it->second.held.emplace_back(payload);
        return;
    }
    dispatch(it->first, it->second, payload);
}

void dispatcher::dispatch(std::string const& channel, channel_state& st, std::string_view payload) {
    std::string error;
    auto env = parse_envelope(payload, error);
    if (!env) {
        metrics_.drop(drop_reason::malformed);
        log::warn("dropped malformed message", {{"channel", channel}, {"error", error}, {"bytes", payload.size()}});
        return;
    }
    if (!is_new(st, env->parsed_id)) {
        metrics_.drop(drop_reason::duplicate);  // already delivered, e.g. by a gap fill
        return;
    }
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    metrics_.observe_lag(static_cast<double>(now_ms - static_cast<std::int64_t>(env->parsed_id.ms)) / 1000.0);
    // Framed once; every stream on every worker writes these very bytes.
    dispatch_frame(channel, st, sse::frame::event(env->id, env->event, env->data));
}

void dispatcher::dispatch_frame(std::string const& channel, channel_state& st, sse::frame_ptr f) {
    if (f->id()) st.last = *f->id();
    metrics_.events_received->fetch_add(1, std::memory_order_relaxed);
    auto shared_channel = std::make_shared<std::string const>(channel);
    for (std::size_t w = 0; w < st.epochs.size(); ++w) {
        if (!st.epochs[w]) continue;
        auto* wk = workers_[w].get();
        net::post(wk->ioc(), [wk, shared_channel, f, &m = metrics_] {
            auto n = wk->hub().deliver(*shared_channel, f);
            m.events_delivered->fetch_add(n, std::memory_order_relaxed);
        });
    }
}

void dispatcher::revoke(std::string_view payload) {
    std::string hash(payload);
    for (auto& c : hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!is_hex64(hash)) {
        log::warn("ignored malformed revocation", {{"bytes", payload.size()}});
        return;
    }
    for (auto& w : workers_) net::post(w->ioc(), [w = w.get(), hash] { w->revoke(hash); });
}

} // namespace ssegw::gateway

#include "gateway/dispatcher.hpp"

#include "common/envelope.hpp"
#include "common/log.hpp"
#include "common/sse/frame.hpp"
#include "gateway/worker.hpp"

#include <chrono>

namespace ssegw::gateway {
namespace {

bool is_sha256_hex(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

} // namespace

dispatcher::dispatcher(std::vector<std::unique_ptr<worker>>& workers, metrics& m, redis::endpoint const& ep,
                       net::any_io_executor control)
    : workers_(workers), metrics_(m) {
    sub_ = std::make_unique<redis::subscriber>(
        std::move(control), ep, std::vector<std::string>{revoked_channel},
        [this](std::string_view channel, std::string_view payload) { on_message(channel, payload); });
}

void dispatcher::channel_changed(unsigned w, std::string const& channel, bool joined) {
    auto& readers = readers_[channel];
    readers.resize(workers_.size());
    if (readers[w] == joined) return;
    readers[w] = joined;
    if (joined) sub_->add_ref(channel);
    else sub_->release(channel);
    bool any = false;
    for (bool r : readers) any = any || r;
    if (!any) readers_.erase(channel);
}

void dispatcher::on_message(std::string_view channel, std::string_view payload) {
    if (channel == revoked_channel) {
        std::string hash(payload);
        for (auto& c : hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!is_sha256_hex(hash)) {
            log::warn("ignored malformed revocation", {{"bytes", payload.size()}});
            return;
        }
        for (auto& w : workers_) net::post(w->ioc(), [w = w.get(), hash] { w->revoke(hash); });
        return;
    }
    std::string error;
    auto env = parse_envelope(payload, error);
    if (!env) {
        metrics_.drop(drop_reason::malformed);
        log::warn("dropped malformed message", {{"channel", channel}, {"error", error}, {"bytes", payload.size()}});
        return;
    }
    metrics_.events_received.fetch_add(1, std::memory_order_relaxed);
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    metrics_.observe_lag(static_cast<double>(now_ms - static_cast<std::int64_t>(env->parsed_id.ms)) / 1000.0);

    auto it = readers_.find(std::string(channel));
    if (it == readers_.end()) {
        metrics_.drop(drop_reason::no_subscribers);  // an UNSUBSCRIBE was still in flight
        return;
    }
    // Framed once; every stream on every worker writes these very bytes.
    auto f = sse::frame::event(env->id, env->event, env->data);
    auto shared_channel = std::make_shared<std::string const>(channel);
    for (std::size_t w = 0; w < it->second.size(); ++w) {
        if (!it->second[w]) continue;
        auto* wk = workers_[w].get();
        net::post(wk->ioc(), [wk, shared_channel, f, &m = metrics_] {
            auto n = wk->hub().deliver(*shared_channel, f);
            m.events_delivered.fetch_add(n, std::memory_order_relaxed);
        });
    }
}

} // namespace ssegw::gateway

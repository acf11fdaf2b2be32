#include "webhooks/delivery/connection_pool.hpp"

#include <algorithm>

namespace ssegw::webhooks {

connection_pool::connection_pool(unsigned max_idle_per_origin, std::chrono::milliseconds idle_timeout)
    : max_idle_(max_idle_per_origin), idle_timeout_(idle_timeout) {}

std::shared_ptr<outbound_connection> connection_pool::take(std::string const& origin) {
    auto it = idle_.find(origin);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    std::shared_ptr<outbound_connection> found;
    while (!list.empty() && !found) {
        auto c = std::move(list.back());
        list.pop_back();
        c->idle_timer().cancel();
        if (c->quiet_and_open()) found = std::move(c);
        else c->close();
    }
    if (list.empty()) idle_.erase(it);
    return found;
}

void connection_pool::give_back(std::shared_ptr<outbound_connection> c) {
    auto& list = idle_[c->origin()];
    if (shut_ || list.size() >= max_idle_) {
        c->close();
        if (list.empty()) idle_.erase(c->origin());
        return;
    }
    c->idle_timer().expires_after(idle_timeout_);
    c->idle_timer().async_wait([self = shared_from_this(), w = std::weak_ptr<outbound_connection>(c)](error_code ec) {
        if (!ec) self->expire(w);
    });
    list.push_back(std::move(c));
}

void connection_pool::expire(std::weak_ptr<outbound_connection> w) {
    auto c = w.lock();
    if (!c) return;
    auto it = idle_.find(c->origin());
    if (it == idle_.end()) return;
    auto& list = it->second;
    auto at = std::find(list.begin(), list.end(), c);
    // Taken since, or taken and given back with a later expiry: not this timer's to close.
    if (at == list.end() || c->idle_timer().expiry() > net::steady_timer::clock_type::now()) return;
    c->close();
    list.erase(at);
    if (list.empty()) idle_.erase(it);
}

void connection_pool::shut() {
    shut_ = true;
    for (auto& [origin, list] : idle_)
        for (auto& c : list) c->close();
    idle_.clear();
}

std::size_t connection_pool::idle_count() const noexcept {
    std::size_t n = 0;
    for (auto const& [origin, list] : idle_) n += list.size();
    return n;
}

} // namespace ssegw::webhooks

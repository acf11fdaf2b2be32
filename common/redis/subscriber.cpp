#include "common/redis/subscriber.hpp"

#include "common/log.hpp"

#include <cstring>

namespace ssegw::redis {

subscriber::subscriber(net::any_io_executor ex, endpoint ep, std::vector<std::string> permanent,
                       message_handler on_message)
    : conn_(std::make_shared<client>(std::move(ex), std::move(ep), "subscriber")),
      permanent_(std::move(permanent)),
      on_message_(std::move(on_message)) {
    for (auto const& ch : permanent_) add_ref(ch);
    conn_->on_up([this] { connected(); });
    conn_->on_down([this] { lost(); });
}

subscriber::~subscriber() { conn_->stop(); }

void subscriber::start() { conn_->start(); }
void subscriber::stop() { conn_->stop(); }

bool subscriber::ready() const noexcept { return conn_->up() && wanted_unacked_ == 0; }

bool subscriber::subscribed(std::string const& channel) const {
    auto it = channels_.find(channel);
    return conn_->up() && it != channels_.end() && it->second.st == state::subscribed;
}

void subscriber::add_ref(std::string const& channel) {
    auto& cs = channels_[channel];
    if (cs.refs++ > 0) return;
    if (cs.st != state::subscribed) ++wanted_unacked_;
    // While an UNSUBSCRIBE is in flight, hiredis 0.14 would drop the callback of a new SUBSCRIBE
    // when the old UNSUBSCRIBE's reply arrives: re-subscribe only after that reply.
    if (cs.st == state::idle) send("SUBSCRIBE", channel, cs, state::subscribing);
}

void subscriber::release(std::string const& channel) {
    auto it = channels_.find(channel);
    if (it == channels_.end() || it->second.refs == 0) return;
    auto& cs = it->second;
    if (--cs.refs > 0) return;
    if (cs.st != state::subscribed) --wanted_unacked_;
    if (cs.st == state::subscribed) send("UNSUBSCRIBE", channel, cs, state::unsubscribing);
    else if (cs.st == state::idle) channels_.erase(it);
    // subscribing/unsubscribing: the pending reply decides (see handle()).
}

void subscriber::send(char const* verb, std::string const& channel, channel_state& cs, state next) {
    if (!conn_->up()) return;  // connected() sends everything wanted
    if (conn_->raw_command(&subscriber::on_reply, this, {verb, channel})) cs.st = next;
}

void subscriber::connected() {
    // Permanent channels first, so the subscription count never returns to zero.
    for (auto const& ch : permanent_) send("SUBSCRIBE", ch, channels_[ch], state::subscribing);
    for (auto& [ch, cs] : channels_)
        if (cs.refs > 0 && cs.st == state::idle) send("SUBSCRIBE", ch, cs, state::subscribing);
    if (on_up_) on_up_();
}

void subscriber::lost() {
    // The server forgot every subscription with the connection.
    wanted_unacked_ = 0;
    acked_ = 0;
    for (auto it = channels_.begin(); it != channels_.end();) {
        if (it->second.refs == 0) {
            it = channels_.erase(it);
            continue;
        }
        it->second.st = state::idle;
        ++wanted_unacked_;
        ++it;
    }
    if (on_down_) on_down_();
}

void subscriber::on_reply(redisAsyncContext*, void* reply, void* privdata) {
    if (!reply || !privdata) return;  // context being freed
    try {
        static_cast<subscriber*>(privdata)->handle(static_cast<redisReply*>(reply));
    } catch (std::exception const& e) {
        log::error("subscriber handler threw", {{"error", e.what()}});
    } catch (...) {
        log::error("subscriber handler threw");
    }
}

void subscriber::handle(redisReply* r) {
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 || r->element[0]->type != REDIS_REPLY_STRING ||
        r->element[1]->type != REDIS_REPLY_STRING)
        return;
    std::string_view kind(r->element[0]->str, r->element[0]->len);
    std::string channel(r->element[1]->str, r->element[1]->len);
    if (kind == "message") {
        if (r->element[2]->type == REDIS_REPLY_STRING)
            on_message_(channel, std::string_view(r->element[2]->str, r->element[2]->len));
        return;
    }
    auto it = channels_.find(channel);
    if (it == channels_.end()) return;
    auto& cs = it->second;
    if (kind == "subscribe") {
        if (cs.st != state::subscribing) return;
        cs.st = state::subscribed;
        ++acked_;
        if (cs.refs == 0) return send("UNSUBSCRIBE", channel, cs, state::unsubscribing);  // left meanwhile
        --wanted_unacked_;
        if (on_subscribed_) on_subscribed_(channel);
    } else if (kind == "unsubscribe") {
        if (cs.st != state::unsubscribing) return;
        --acked_;
        cs.st = state::idle;
        if (cs.refs > 0) send("SUBSCRIBE", channel, cs, state::subscribing);  // came back meanwhile
        else channels_.erase(it);
    }
}

} // namespace ssegw::redis

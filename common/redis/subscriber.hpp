// Pub/sub on a dedicated Redis connection: one SUBSCRIBE per channel however many users want it
// (reference-counted, UNSUBSCRIBE when the last one leaves), everything re-subscribed after a
// reconnect. Lives on one executor (the gateway's control thread).
#pragma once

#include "common/redis/client.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ssegw::redis {

class subscriber {
public:
    using message_handler = std::function<void(std::string_view channel, std::string_view payload)>;

    /// `permanent` channels stay subscribed for the connection's whole life. hiredis 0.14 leaves
    /// subscribe mode (and asserts on the next reply) when the count drops to zero, so at least one
    /// permanent channel is required.
    subscriber(net::any_io_executor ex, endpoint ep, std::vector<std::string> permanent, message_handler on_message);
    ~subscriber();

    /// Called each time a channel's SUBSCRIBE is acknowledged (first time and after reconnects):
    /// from then on no message of that channel is missed.
    void on_subscribed(std::function<void(std::string const&)> f) { on_subscribed_ = std::move(f); }
    void on_up(std::function<void()> f) { on_up_ = std::move(f); }
    void on_down(std::function<void()> f) { on_down_ = std::move(f); }
    void start();
    void stop();

    void add_ref(std::string const& channel);
    void release(std::string const& channel);

    /// Connected and every wanted channel's SUBSCRIBE acknowledged.
    bool ready() const noexcept;
    bool up() const noexcept { return conn_->up(); }
    bool subscribed(std::string const& channel) const;
    std::size_t subscriptions() const noexcept { return acked_; }
    std::uint64_t reconnects() const noexcept { return conn_->reconnects(); }

private:
    enum class state { idle, subscribing, subscribed, unsubscribing };
    struct channel_state {
        unsigned refs = 0;
        state st = state::idle;
    };
    static void on_reply(redisAsyncContext*, void* reply, void* privdata);
    void handle(redisReply* r);
    void send(char const* verb, std::string const& channel, channel_state& cs, state next);
    void connected();
    void lost();

    std::shared_ptr<client> conn_;
    std::vector<std::string> permanent_;
    message_handler on_message_;
    std::unordered_map<std::string, channel_state> channels_;
    std::size_t wanted_unacked_ = 0;  // channels with refs > 0 not yet subscribed
    std::size_t acked_ = 0;           // channels currently subscribed
    std::function<void()> on_up_, on_down_;
    std::function<void(std::string const&)> on_subscribed_;
};

} // namespace ssegw::redis

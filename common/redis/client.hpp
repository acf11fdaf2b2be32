// One Redis connection on one executor that keeps itself connected: connects, AUTHs, SELECTs,
// and after any loss reconnects with capped, jittered exponential back-off. Commands complete
// on the same executor. Lives on the gateway's control thread.
#pragma once

#include "common/net.hpp"
#include "common/redis/url.hpp"

#include <hiredis/async.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ssegw::redis {

class asio_adapter;

class client : public std::enable_shared_from_this<client> {
public:
    /// Called with the reply, or nullptr when the command failed or the connection was lost.
    /// The reply is freed after the handler returns: copy what you need.
    using reply_handler = std::function<void(redisReply*)>;

    client(net::any_io_executor ex, endpoint ep, std::string name);
    ~client();
    client(client const&) = delete;
    client& operator=(client const&) = delete;

    /// Called (on the executor) once the connection is usable, and once each time it is lost.
    void on_up(std::function<void()> f) { on_up_ = std::move(f); }
    void on_down(std::function<void()> f) { on_down_ = std::move(f); }

    void start();
    void stop();
    bool up() const noexcept { return up_; }

    /// Sends a command; `h` always runs exactly once, later, on the executor.
    void command(std::vector<std::string> const& args, reply_handler h);
    void command(std::initializer_list<std::string_view> args, reply_handler h);

    /// A command whose callback may fire many times (SUBSCRIBE); returns false when not connected.
    bool raw_command(redisCallbackFn* fn, void* privdata, std::vector<std::string_view> const& args);

    std::uint64_t reconnects() const noexcept { return reconnects_; }
    net::any_io_executor get_executor() const { return ex_; }

private:
    struct argv_list;
    void connect();
    void connect_to(std::string const& ip);
    void schedule_reconnect();
    void on_connected(int status);
    void on_disconnected();
    void fail_later(reply_handler h);
    void send(std::vector<std::string_view> const& args, reply_handler h);

    net::any_io_executor ex_;
    endpoint ep_;
    std::string name_;
    redisAsyncContext* ac_ = nullptr;
    std::shared_ptr<asio_adapter> adapter_;
    tcp::resolver resolver_;
    net::steady_timer retry_timer_;
    std::chrono::milliseconds backoff_{100};
    bool up_ = false;
    bool stopped_ = true;
    std::uint64_t reconnects_ = 0;
    std::function<void()> on_up_, on_down_;
};

} // namespace ssegw::redis

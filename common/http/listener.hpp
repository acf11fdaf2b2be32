// The accept loop of one HTTP service, on the control thread: admits a connection (the instance's
// --max-connections, a per-address rate), then moves its socket onto a worker's io_context, where
// a request_session (plain or TLS) serves it for its whole life. Accepting on the control thread's
// own io_context means no pending accept ever touches a worker's services, so workers can be torn
// down first at exit.
#pragma once

#include "common/http/conn_rate_limiter.hpp"
#include "common/http/idle_connections.hpp"
#include "common/http/site.hpp"
#include "common/net.hpp"
#include "common/tls/server_context.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

namespace ssegw::web {

class listener {
public:
    /// Where a new connection lives: a worker's io_context and its idle keep-alive set.
    struct placement {
        net::io_context& ioc;
        idle_connections& idle;
    };
    using place_fn = std::function<placement()>;

    listener(net::io_context& control, site const& s, place_fn place, std::size_t max_connections,
             double max_rate_per_ip);
    ~listener();
    listener(listener const&) = delete;
    listener& operator=(listener const&) = delete;

    /// Binds and listens; false with `error` set on failure.
    bool listen(std::string const& host, unsigned short port, std::string& error);
    /// "host:port" as bound ("[::1]:port" for IPv6).
    std::string address() const;
    void start();
    /// Control thread. No new connections from now on; an accept in flight ends aborted.
    void close();
    /// Control thread. Null: plain HTTP. New connections get this context; open ones keep theirs.
    void use_tls(tls::context_ptr ctx) { tls_ = std::move(ctx); }
    bool tls() const noexcept { return tls_ != nullptr; }
    /// Connections held open (any thread).
    std::size_t open_connections() const noexcept { return open_.load(std::memory_order_relaxed); }

private:
    void do_accept();
    void on_accept(error_code ec, tcp::socket socket);
    /// --max-conn-rate-per-ip: false (and the socket answered 429 and closed) when over the limit.
    bool admit_rate(tcp::socket& socket);
    /// Out of descriptors: the connection waiting first is accepted on the descriptor kept in
    /// reserve for this, answered 503 and closed, so that clients get an answer instead of waiting
    /// in the backlog. False if there was no reserve or nothing waiting.
    bool shed_one();

    site const& site_;
    place_fn place_;
    std::size_t max_connections_;
    conn_rate_limiter rate_;
    tcp::acceptor acceptor_;
    net::steady_timer backoff_;
    tls::context_ptr tls_;
    std::atomic<std::size_t> open_{0};
    int reserve_fd_ = -1;  // /dev/null, given up only to shed a connection when out of descriptors
    std::string shed_response_;
    std::chrono::steady_clock::time_point shed_warned_{};
    std::uint64_t shed_unlogged_ = 0;
};

} // namespace ssegw::web

// One connection to a receiver, plain or TLS, as a single type the sender and the keep-alive pool
// share: the same object lives from the connect to its close, across the attempts that reuse it.
#pragma once

#include "common/net.hpp"
#include "common/tls/server_context.hpp"

#include <optional>
#include <string>

namespace ssegw::webhooks {

class outbound_connection {
public:
    /// Plain TCP.
    outbound_connection(net::any_io_executor ex, std::string origin);
    /// TLS over TCP; `ctx` is kept alive as long as the stream.
    outbound_connection(net::any_io_executor ex, std::string origin, tls::context_ptr ctx);

    outbound_connection(outbound_connection const&) = delete;
    outbound_connection& operator=(outbound_connection const&) = delete;

    std::string const& origin() const noexcept { return origin_; }
    bool is_tls() const noexcept { return secure_.has_value(); }
    tls::stream& tls_stream() { return *secure_; }
    beast::tcp_stream& tcp() { return secure_ ? secure_->next_layer() : *plain_; }

    /// Calls f(stream) with the stream an HTTP exchange reads and writes.
    template <class F>
    void with_stream(F&& f) {
        if (secure_) f(*secure_);
        else f(*plain_);
    }

    /// Closes the socket; pending operations complete with operation_aborted. No TLS close_notify:
    /// a receiver sees a closed keep-alive connection, which HTTP allows at any time.
    void close() noexcept;

    /// For an idle connection about to be reused: false if the peer closed it or sent anything
    /// while it was idle (which no receiver may do between responses), or TLS holds unread bytes.
    bool quiet_and_open();

    /// The timer that closes it after it sat idle too long in the pool.
    net::steady_timer& idle_timer() noexcept { return idle_timer_; }

private:
    std::string origin_;
    tls::context_ptr ctx_;  // declared before the stream that refers to it
    std::optional<beast::tcp_stream> plain_;
    std::optional<tls::stream> secure_;
    net::steady_timer idle_timer_;
};

} // namespace ssegw::webhooks

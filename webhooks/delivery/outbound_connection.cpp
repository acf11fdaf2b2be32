#include "webhooks/delivery/outbound_connection.hpp"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>

namespace ssegw::webhooks {

outbound_connection::outbound_connection(net::any_io_executor ex, std::string origin)
    : origin_(std::move(origin)), idle_timer_(ex) {
    plain_.emplace(ex);
}

outbound_connection::outbound_connection(net::any_io_executor ex, std::string origin, tls::context_ptr ctx)
    : origin_(std::move(origin)), ctx_(std::move(ctx)), idle_timer_(ex) {
    secure_.emplace(beast::tcp_stream(ex), *ctx_);
}

void outbound_connection::close() noexcept {
    error_code ec;
    tcp().socket().close(ec);
    idle_timer_.cancel();
}

bool outbound_connection::quiet_and_open() {
    auto& sock = tcp().socket();
    if (!sock.is_open()) return false;
    if (secure_ && SSL_pending(secure_->native_handle()) > 0) return false;
    char c;
    auto n = ::recv(sock.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

} // namespace ssegw::webhooks

#include "gateway/stream_transport.hpp"

namespace ssegw::gateway {
namespace {

constexpr auto tls_shutdown_deadline = std::chrono::seconds(2);

} // namespace

template <>
void plain_transport::start() {
    error_code ec;
    c_.socket.non_blocking(true, ec);
    c_.socket.set_option(tcp::no_delay(true), ec);
}

template <>
void plain_transport::async_watch(std::function<void(error_code)> h) {
    c_.socket.async_wait(tcp::socket::wait_read, [this, h = std::move(h)](error_code ec) {
        if (ec) return h(ec);
        // A stream client has nothing more to say: read and discard until EOF tells us it left.
        char scratch[512];
        for (;;) {
            std::size_t n = c_.socket.read_some(net::buffer(scratch), ec);
            if (ec == net::error::would_block || ec == net::error::try_again) return h({});
            if (ec || n == 0) return h(ec ? ec : net::error::eof);
        }
    });
}

template <>
void plain_transport::async_finish(std::function<void()> h) {
    error_code ignored;
    c_.socket.shutdown(tcp::socket::shutdown_send, ignored);
    h();
}

template <>
void plain_transport::close() {
    error_code ignored;
    c_.socket.close(ignored);  // pending operations finish with operation_aborted and drop their refs
}

template <>
void tls_transport::start() {
    error_code ec;
    beast::get_lowest_layer(*c_.stream).socket().set_option(tcp::no_delay(true), ec);
}

template <>
void tls_transport::async_watch(std::function<void(error_code)> h) {
    // Through TLS: the client's bytes are records (close_notify, key updates), never raw noise.
    c_.stream->async_read_some(net::buffer(s_.scratch), [h = std::move(h)](error_code ec, std::size_t) { h(ec); });
}

template <>
void tls_transport::async_finish(std::function<void()> h) {
    auto once = std::make_shared<std::function<void()>>(std::move(h));
    s_.shutdown_timer.expires_after(tls_shutdown_deadline);
    s_.shutdown_timer.async_wait([once](error_code ec) {
        if (!ec && *once) std::exchange(*once, nullptr)();
    });
    // Sends close_notify, then waits for the client's (or its EOF): either way the stream is over.
    c_.stream->async_shutdown([once](error_code) {
        if (*once) std::exchange(*once, nullptr)();
    });
}

template <>
void tls_transport::close() {
    s_.shutdown_timer.cancel();
    beast::get_lowest_layer(*c_.stream).close();  // pending operations finish with operation_aborted
}

} // namespace ssegw::gateway

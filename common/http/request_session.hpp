// The request phase of one client connection, for any service: read each request within the
// limits, refuse what cannot be served as read, find its route, answer OPTIONS and wrong methods,
// and hand the rest to the route's handler as an exchange. Keep-alive until the service drains.
// One template for both transports (plain beast::tcp_stream, TLS tls::stream): the generic steps
// are written once, and the few that differ (start, telling a client that left from an error,
// the graceful close, handing the connection over) are per-transport specialisations in
// request_session.cpp. Lives on one worker thread.
#pragma once

#include "common/http/exchange.hpp"
#include "common/http/idle_connections.hpp"
#include "common/http/site.hpp"

#include <memory>
#include <optional>

namespace ssegw::web {

template <class Stream>
class request_session final : public exchange,
                              public idle_connection,
                              public std::enable_shared_from_this<request_session<Stream>> {
public:
    /// `ctx`: TLS only, the newest context at accept (the connection keeps it alive).
    request_session(tcp::socket socket, site const& s, idle_connections& idle, connection_slot slot,
                    tls::context_ptr ctx);
    ~request_session() override;
    void run();
    void close_if_idle() override;

    // exchange
    request const& req() const override { return req_; }
    web::target const& target() const override { return target_; }
    net::any_io_executor executor() override { return stream_.get_executor(); }
    std::shared_ptr<exchange> hold() override { return this->shared_from_this(); }
    void wait() override;
    response make_response(http::status status, std::string_view content_type, std::string body) const override;
    void add_cors(http::fields& f) const override;
    void respond(response res) override;
    void refuse(api_error const& e) override;
    connection take_connection() override;

private:
    static Stream make_stream(tcp::socket socket, tls::context_ptr const& ctx);
    void start();  // per transport: TLS handshakes first
    void on_handshake(error_code ec);
    /// Per transport: whether the client closed or reset (then the connection is let go).
    bool client_left(error_code ec);
    /// Per transport: after the last response (FIN, or close_notify then close).
    void finish();
    void do_read();
    void on_read(error_code ec, std::size_t);
    /// A request that cannot be served as read: answer `status` with a BAD_REQUEST body, count, close.
    void refuse_request(http::status status, std::string message);
    void handle();
    void on_sent(bool keep_alive, error_code ec);

    tls::context_ptr tls_ctx_;  // TLS only: the context this connection was accepted with
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    site const& site_;
    idle_connections& idle_;
    connection_slot slot_;
    request req_;
    web::target target_;
};

using plain_session = request_session<beast::tcp_stream>;
using tls_session = request_session<tls::stream>;

// The per-transport steps (defined in request_session.cpp).
template <> beast::tcp_stream plain_session::make_stream(tcp::socket, tls::context_ptr const&);
template <> tls::stream tls_session::make_stream(tcp::socket, tls::context_ptr const&);
template <> void plain_session::start();
template <> void tls_session::start();
template <> void plain_session::on_handshake(error_code);
template <> void tls_session::on_handshake(error_code);
template <> bool plain_session::client_left(error_code);
template <> bool tls_session::client_left(error_code);
template <> void plain_session::finish();
template <> void tls_session::finish();
template <> connection plain_session::take_connection();
template <> connection tls_session::take_connection();

extern template class request_session<beast::tcp_stream>;
extern template class request_session<tls::stream>;

} // namespace ssegw::web

// The request phase of one client connection: read and bound the request, route it, answer
// health/metrics/errors (keep-alive allowed), or get a stream decided on the control thread and
// hand the connection to an sse_session. Lives on one worker thread. One template for both
// transports: plain (beast::tcp_stream, the code as it always was) and TLS (tls_stream: handshake
// first, close_notify at the end); both are instantiated in http_session.cpp.
#pragma once

#include "common/net.hpp"
#include "common/sse/event_id.hpp"
#include "gateway/api_error.hpp"
#include "gateway/connection_slot.hpp"
#include "gateway/router.hpp"
#include "gateway/stream_opener.hpp"
#include "gateway/tls.hpp"

#include <memory>
#include <optional>
#include <type_traits>

namespace ssegw::gateway {

class worker;

/// What the worker sees of a connection waiting for its next request.
class http_session_base {
public:
    virtual ~http_session_base() = default;
    /// Draining: a keep-alive connection waiting for its next request is closed now, so it
    /// neither holds the exit for the grace period nor gets reused by a proxy meanwhile.
    virtual void close_if_idle() = 0;
};

template <class Stream>
class basic_http_session final : public http_session_base,
                                 public std::enable_shared_from_this<basic_http_session<Stream>> {
public:
    static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

    /// `ctx`: TLS only, the newest context at accept (the connection keeps it alive).
    basic_http_session(tcp::socket socket, worker& w, connection_slot slot, tls_context_ptr ctx = nullptr);
    ~basic_http_session() override;
    void run();
    void close_if_idle() override;

private:
    using request = http::request<http::string_body>;
    using response = http::response<http::string_body>;

    static Stream make_stream(tcp::socket socket, tls_context_ptr const& ctx);
    void on_handshake(error_code ec);
    /// TLS: close_notify (bounded by a short deadline), then close.
    void shutdown_tls();
    void do_read();
    void on_read(error_code ec, std::size_t);
    /// A request that cannot be served as read (malformed, oversized, ambiguous framing): answer
    /// `status` with a BAD_REQUEST body, count it, close.
    void refuse_request(http::status status, std::string message);
    void handle();
    void serve_stream(route const& r);
    void serve_ticket(route const& r);
    void on_open(open_result result);
    void start_stream(stream_grant grant);
    void respond_error(api_error const& e);
    response make_response(http::status status, std::string_view content_type, std::string body);
    response preflight(std::string_view methods, std::string_view headers);
    void add_cors(http::fields& f) const;
    void send(response res);
    void on_sent(bool keep_alive, error_code ec, std::size_t);

    tls_context_ptr tls_ctx_;  // TLS only: the context this connection was accepted with
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    worker& worker_;
    connection_slot slot_;
    request req_;
    std::optional<sse::event_id> last_event_id_;
};

using http_session = basic_http_session<beast::tcp_stream>;
using https_session = basic_http_session<tls_stream>;

extern template class basic_http_session<beast::tcp_stream>;
extern template class basic_http_session<tls_stream>;

} // namespace ssegw::gateway

// The request phase of one client connection: read and bound the request, route it, answer
// health/metrics/errors (keep-alive allowed), or get a stream decided on the control thread and
// hand the socket to an sse_session. Lives on one worker thread.
#pragma once

#include "common/net.hpp"
#include "common/sse/event_id.hpp"
#include "gateway/api_error.hpp"
#include "gateway/connection_slot.hpp"
#include "gateway/router.hpp"
#include "gateway/stream_opener.hpp"

#include <memory>
#include <optional>

namespace ssegw::gateway {

class worker;

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket socket, worker& w, connection_slot slot);
    ~http_session();
    void run();
    /// Draining: a keep-alive connection waiting for its next request is closed now, so it
    /// neither holds the exit for the grace period nor gets reused by a proxy meanwhile.
    void close_if_idle();

private:
    using request = http::request<http::string_body>;
    using response = http::response<http::string_body>;

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
    void add_cors(http::fields& f) const;
    void send(response res);
    void on_sent(bool keep_alive, error_code ec, std::size_t);

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    worker& worker_;
    connection_slot slot_;
    request req_;
    std::optional<sse::event_id> last_event_id_;
};

} // namespace ssegw::gateway

#include "common/http/request_session.hpp"

#include "common/http/request_limits.hpp"
#include "common/jitter.hpp"
#include "common/log.hpp"
#include "common/sse/frame.hpp"

#include <openssl/ssl.h>

namespace ssegw::web {
namespace {

constexpr auto tls_shutdown_deadline = std::chrono::seconds(2);  // close_notify, then close regardless
// What a plain HTTP request to the TLS port gets (as nginx does), instead of a bare close.
constexpr std::string_view plain_to_tls =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
    "Connection: close\r\nContent-Length: 81\r\n\r\n"
    "{\"error\":{\"code\":\"BAD_REQUEST\",\"message\":\"this port speaks HTTPS: use https://\"}}";
static_assert(plain_to_tls.size() - plain_to_tls.find("\r\n\r\n") - 4 == 81);

unsigned retry_after_s(error_kind k) { return k == error_kind::too_many ? 10 : k == error_kind::too_many_requests ? 1 : 2; }

bool common_client_left(error_code ec) {
    return ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
           ec == net::error::connection_reset || ec == net::error::eof;
}

} // namespace

// ---- per transport ------------------------------------------------------------------------------

template <>
beast::tcp_stream plain_session::make_stream(tcp::socket socket, tls::context_ptr const&) {
    return beast::tcp_stream(std::move(socket));
}

template <>
tls::stream tls_session::make_stream(tcp::socket socket, tls::context_ptr const& ctx) {
    return tls::stream(beast::tcp_stream(std::move(socket)), *ctx);
}

template <>
void plain_session::start() { do_read(); }

template <>
void tls_session::start() {
    // The handshake is part of the request: the same deadline bounds it.
    beast::get_lowest_layer(stream_).expires_after(site_.header_timeout);
    stream_.async_handshake(tls::ssl::stream_base::server,
                            beast::bind_front_handler(&tls_session::on_handshake, shared_from_this()));
}

template <>
void plain_session::on_handshake(error_code) {}

template <>
void tls_session::on_handshake(error_code ec) {
    if (!ec) return do_read();
    auto& tcp = beast::get_lowest_layer(stream_);
    if (ec == net::error::eof || ec == net::error::connection_reset || ec == tls::ssl::error::stream_truncated) {
        // The client left (a TCP probe, or a client that gave up): not a refusal, as on plain HTTP.
        log::debug("client left during the tls handshake", {{"error", ec.message()}});
        return tcp.close();
    }
    site_.count_refusal(error_kind::bad_request);
    log::debug("tls handshake failed", {{"error", ec.message()}});
    if (ec.category() == net::error::get_ssl_category() && ERR_GET_REASON(ec.value()) == SSL_R_HTTP_REQUEST) {
        // Plain HTTP on the TLS port: say so in plain HTTP (OpenSSL read the request already).
        tcp.expires_after(std::chrono::seconds(2));
        return net::async_write(tcp, net::buffer(plain_to_tls.data(), plain_to_tls.size()),
                                [self = shared_from_this()](error_code, std::size_t) {
                                    error_code ignored;
                                    auto& t = beast::get_lowest_layer(self->stream_);
                                    t.socket().shutdown(tcp::socket::shutdown_send, ignored);
                                    t.close();
                                });
    }
    tcp.close();
}

template <>
bool plain_session::client_left(error_code ec) {
    if (!common_client_left(ec)) return false;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return true;
}

template <>
bool tls_session::client_left(error_code ec) {
    // With or without close_notify.
    if (!common_client_left(ec) && ec != tls::ssl::error::stream_truncated) return false;
    beast::get_lowest_layer(stream_).close();
    return true;
}

template <>
void plain_session::finish() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

template <>
void tls_session::finish() {
    beast::get_lowest_layer(stream_).expires_after(tls_shutdown_deadline);
    stream_.async_shutdown([self = shared_from_this()](error_code) { beast::get_lowest_layer(self->stream_).close(); });
}

template <>
connection plain_session::take_connection() {
    return plain_connection{stream_.release_socket(), std::move(slot_)};
}

template <>
connection tls_session::take_connection() {
    return tls_connection{tls_ctx_, std::make_unique<tls::stream>(std::move(stream_)), std::move(slot_)};
}

// ---- both transports ----------------------------------------------------------------------------

template <class Stream>
request_session<Stream>::request_session(tcp::socket socket, site const& s, idle_connections& idle,
                                         connection_slot slot, tls::context_ptr ctx)
    : tls_ctx_(std::move(ctx)), stream_(make_stream(std::move(socket), tls_ctx_)), site_(s), idle_(idle),
      slot_(std::move(slot)) {}

template <class Stream>
request_session<Stream>::~request_session() { idle_.track(this, false); }

template <class Stream>
void request_session<Stream>::run() { start(); }

template <class Stream>
void request_session<Stream>::close_if_idle() {
    if (buffer_.size() == 0) beast::get_lowest_layer(stream_).close();
}

template <class Stream>
void request_session<Stream>::do_read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(body_limit);
    // One deadline for the whole request: trickled bytes do not extend it (slowloris), and it also
    // bounds how long an idle keep-alive connection is held.
    beast::get_lowest_layer(stream_).expires_after(site_.header_timeout);
    idle_.track(this, true);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&request_session::on_read, this->shared_from_this()));
}

template <class Stream>
void request_session<Stream>::on_read(error_code ec, std::size_t) {
    idle_.track(this, false);
    if (ec == beast::error::timeout) {
        // --header-timeout passed: the stream has closed the socket. A connection that had started a
        // request (slow headers or body) was refused; an idle keep-alive one merely ended.
        if (parser_->got_some() || buffer_.size() > 0) {
            site_.count_refusal(error_kind::bad_request);
            log::debug("request not complete within --header-timeout, closed", {{"bytes", buffer_.size()}});
        }
        return;
    }
    if (client_left(ec)) return;  // nothing to answer, nobody to answer to
    if (ec == http::error::header_limit) {
        // The limit covers the request line too: the parser has set the target once it read the whole
        // line, so an empty one means the line alone passed the limit.
        auto target = parser_->get().target();
        if (target.empty() || target.size() > target_limit)
            return refuse_request(http::status::uri_too_long, "request target longer than 8 KiB");
        return refuse_request(http::status::request_header_fields_too_large, "request head larger than 16 KiB");
    }
    if (ec == http::error::body_limit) return refuse_request(http::status::payload_too_large, "request body too large");
    // Malformed request: say why, then close (the stream position is unknown).
    if (ec) return refuse_request(http::status::bad_request, "malformed request: " + ec.message());
    req_ = parser_->release();
    if (req_.target().size() > target_limit)
        return refuse_request(http::status::uri_too_long, "request target longer than 8 KiB");
    if (auto why = framing_problem(req_); !why.empty()) return refuse_request(http::status::bad_request, why);
    handle();
}

template <class Stream>
void request_session<Stream>::refuse_request(http::status status, std::string message) {
    req_ = {};
    req_.version(11);
    req_.keep_alive(false);
    site_.count_refusal(error_kind::bad_request);
    log::debug("request refused", {{"status", static_cast<int>(status)}, {"message", message}});
    beast::get_lowest_layer(stream_).expires_after(response_timeout);
    auto res = make_response(status, "application/json", error_body({error_kind::bad_request, std::move(message)}));
    res.keep_alive(false);
    respond(std::move(res));
}

template <class Stream>
void request_session<Stream>::handle() {
    auto t = parse_target(req_.target());
    if (!t) return refuse({error_kind::bad_request, "malformed request target"});
    target_ = std::move(*t);
    auto m = site_.routes.find(target_);
    if (!m) return refuse({error_kind::not_found, "no such path"});
    auto const& r = *m->r;
    auto method = req_.method_string();
    if (req_.method() == http::verb::options && route_table::allows(r.methods, "OPTIONS")) {
        // The Allow list, and for an allowed origin the CORS preflight answer.
        auto res = make_response(http::status::no_content, "text/plain", "");
        res.set(http::field::allow, r.methods);
        if (res.find(http::field::access_control_allow_origin) != res.end()) {
            res.set(http::field::access_control_allow_methods, r.methods);
            res.set(http::field::access_control_allow_headers, r.preflight_headers);
            res.set(http::field::access_control_max_age, "600");
        }
        return respond(std::move(res));
    }
    if (!route_table::allows(r.methods, method)) {
        site_.count_refusal(error_kind::method_not_allowed);
        auto res = make_response(http::status::method_not_allowed, "application/json",
                                 error_body({error_kind::method_not_allowed, "this path takes " + r.methods}));
        res.set(http::field::allow, r.methods);
        return respond(std::move(res));
    }
    r.serve(*this, m->params);
}

template <class Stream>
void request_session<Stream>::wait() {
    beast::get_lowest_layer(stream_).expires_never();  // the handler answers, or takes the connection
}

template <class Stream>
response request_session<Stream>::make_response(http::status status, std::string_view content_type,
                                                std::string body) const {
    response res{status, req_.version()};
    res.set(http::field::content_type, content_type);
    res.set(http::field::cache_control, "no-store");
    add_cors(res);
    res.keep_alive(req_.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

template <class Stream>
void request_session<Stream>::add_cors(http::fields& f) const {
    site_.add_cors(f, req_[http::field::origin]);
}

template <class Stream>
void request_session<Stream>::refuse(api_error const& e) {
    site_.count_refusal(e.kind);
    log::debug("request refused", {{"target", redact_target(req_.target())},
                                   {"status", status_of(e.kind)},
                                   {"message", e.message}});
    beast::get_lowest_layer(stream_).expires_after(response_timeout);
    if (is_transient(e.kind) && accepts_event_stream(req_[http::field::accept])) {
        // EventSource abandons a stream for good on any status but 200: give it a 200 it can
        // back off from, with the reason as an `error` event, then close.
        unsigned base = retry_after_s(e.kind) * 1000;
        std::string body = "retry: " + std::to_string(jittered(base, base * 2)) + "\n";
        sse::append_event(body, "", "error", error_body(e));
        auto res = make_response(http::status::ok, "text/event-stream; charset=utf-8", std::move(body));
        res.set(http::field::cache_control, "no-cache");
        res.keep_alive(false);
        return respond(std::move(res));
    }
    auto res = make_response(static_cast<http::status>(status_of(e.kind)), "application/json", error_body(e));
    switch (e.kind) {
    case error_kind::unauthorized:
        res.set(http::field::www_authenticate, "Bearer realm=\"" + site_.realm + "\"");
        break;
    case error_kind::too_many:
    case error_kind::too_many_requests:
    case error_kind::unavailable: res.set(http::field::retry_after, std::to_string(retry_after_s(e.kind))); break;
    default: break;
    }
    if (e.kind == error_kind::bad_request) res.keep_alive(false);
    respond(std::move(res));
}

template <class Stream>
void request_session<Stream>::respond(response res) {
    bool keep_alive = res.keep_alive();
    auto msg = std::make_shared<response>(std::move(res));
    http::async_write(stream_, *msg, [self = this->shared_from_this(), msg, keep_alive](error_code ec, std::size_t) {
        self->on_sent(keep_alive, ec);
    });
}

template <class Stream>
void request_session<Stream>::on_sent(bool keep_alive, error_code ec) {
    if (ec) return;
    if (keep_alive && !site_.draining.load(std::memory_order_relaxed)) return do_read();
    finish();
}

template class request_session<beast::tcp_stream>;
template class request_session<tls::stream>;

} // namespace ssegw::web

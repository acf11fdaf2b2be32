#include "gateway/http_session.hpp"

#include "common/log.hpp"
#include "common/sse/event_id.hpp"
#include "common/sse/frame.hpp"
#include "gateway/auth.hpp"
#include "gateway/server.hpp"
#include "gateway/sse_session.hpp"
#include "gateway/worker.hpp"

#include <openssl/ssl.h>

#include <random>
#include <sstream>

namespace ssegw::gateway {
namespace {

constexpr auto request_timeout = std::chrono::seconds(30);
constexpr std::uint32_t header_limit = 16 * 1024;
constexpr std::uint64_t body_limit = 64 * 1024;
constexpr std::size_t target_limit = 8 * 1024;  // request target; a longer request line is a 414
constexpr char const* stream_methods = "GET, HEAD, OPTIONS";
constexpr char const* ticket_methods = "POST, OPTIONS";
constexpr auto tls_shutdown_deadline = std::chrono::seconds(2);  // close_notify, then close regardless
// What a plain HTTP request to the TLS port gets (as nginx does), instead of a bare close.
constexpr std::string_view plain_to_tls =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
    "Connection: close\r\nContent-Length: 81\r\n\r\n"
    "{\"error\":{\"code\":\"BAD_REQUEST\",\"message\":\"this port speaks HTTPS: use https://\"}}";
static_assert(plain_to_tls.size() - plain_to_tls.find("\r\n\r\n") - 4 == 81);

unsigned retry_after_s(error_kind k) { return k == error_kind::too_many ? 10 : 2; }

/// Framing a proxy in front could read differently (request smuggling), or a body where none belongs:
/// the reason to refuse, or empty. Beast already refuses Content-Length with Transfer-Encoding and
/// differing Content-Lengths; this adds repeated (even equal) lengths, any transfer coding but a single
/// `chunked` (Beast would take `gzip` alone as "no body" and parse the body as the next request), and
/// bodies on GET/HEAD (no GET route takes one).
std::string framing_problem(http::request<http::string_body> const& req) {
    auto lengths = req.count(http::field::content_length);
    if (lengths > 1 || (lengths == 1 && req[http::field::content_length].find(',') != std::string_view::npos))
        return "repeated Content-Length";
    auto codings = req.count(http::field::transfer_encoding);
    if (codings > 1 || (codings == 1 && !beast::iequals(req[http::field::transfer_encoding], "chunked")))
        return "unsupported Transfer-Encoding";
    if ((req.method() == http::verb::get || req.method() == http::verb::head) && (codings > 0 || !req.body().empty()))
        return "GET and HEAD requests take no body";
    return {};
}

} // namespace

template <class Stream>
Stream basic_http_session<Stream>::make_stream(tcp::socket socket, tls_context_ptr const& ctx) {
    if constexpr (is_tls) return Stream(beast::tcp_stream(std::move(socket)), *ctx);
    else return Stream(std::move(socket));
}

template <class Stream>
basic_http_session<Stream>::basic_http_session(tcp::socket socket, worker& w, connection_slot slot,
                                               tls_context_ptr ctx)
    : tls_ctx_(std::move(ctx)), stream_(make_stream(std::move(socket), tls_ctx_)), worker_(w),
      slot_(std::move(slot)) {}

template <class Stream>
basic_http_session<Stream>::~basic_http_session() { worker_.track_waiting(this, false); }

template <class Stream>
void basic_http_session<Stream>::run() {
    if constexpr (is_tls) {
        // The handshake is part of the request: the same deadline bounds it.
        beast::get_lowest_layer(stream_).expires_after(
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(worker_.cfg().header_timeout));
        stream_.async_handshake(ssl::stream_base::server,
                                beast::bind_front_handler(&basic_http_session::on_handshake, this->shared_from_this()));
    } else {
        do_read();
    }
}

template <class Stream>
void basic_http_session<Stream>::on_handshake(error_code ec) {
    if constexpr (is_tls) {
        if (!ec) return do_read();
        auto& tcp = beast::get_lowest_layer(stream_);
        if (ec == net::error::eof || ec == net::error::connection_reset || ec == ssl::error::stream_truncated) {
            // The client left (a TCP probe, or a client that gave up): not a refusal, as on plain HTTP.
            log::debug("client left during the tls handshake", {{"error", ec.message()}});
            return tcp.close();
        }
        worker_.srv().stats().reject(error_kind::bad_request);
        log::debug("tls handshake failed", {{"error", ec.message()}});
        if (ec.category() == net::error::get_ssl_category() && ERR_GET_REASON(ec.value()) == SSL_R_HTTP_REQUEST) {
            // Plain HTTP on the TLS port: say so in plain HTTP (OpenSSL read the request already).
            tcp.expires_after(std::chrono::seconds(2));
            return net::async_write(tcp, net::buffer(plain_to_tls.data(), plain_to_tls.size()),
                                    [self = this->shared_from_this()](error_code, std::size_t) {
                                        error_code ignored;
                                        auto& t = beast::get_lowest_layer(self->stream_);
                                        t.socket().shutdown(tcp::socket::shutdown_send, ignored);
                                        t.close();
                                    });
        }
        tcp.close();
    } else {
        (void)ec;
    }
}

template <class Stream>
void basic_http_session<Stream>::shutdown_tls() {
    if constexpr (is_tls) {
        beast::get_lowest_layer(stream_).expires_after(tls_shutdown_deadline);
        stream_.async_shutdown([self = this->shared_from_this()](error_code) {
            beast::get_lowest_layer(self->stream_).close();
        });
    }
}

template <class Stream>
void basic_http_session<Stream>::close_if_idle() {
    // No byte of a next request yet.
    if (buffer_.size() == 0) beast::get_lowest_layer(stream_).close();
}

template <class Stream>
void basic_http_session<Stream>::do_read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(body_limit);
    // One deadline for the whole request, from now (the idle wait of a keep-alive connection included);
    // trickled bytes do not move it (slowloris).
    beast::get_lowest_layer(stream_).expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(worker_.cfg().header_timeout));
    worker_.track_waiting(this, true);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&basic_http_session::on_read, this->shared_from_this()));
}

template <class Stream>
void basic_http_session<Stream>::on_read(error_code ec, std::size_t) {
    worker_.track_waiting(this, false);
    if (ec == beast::error::timeout) {
        // --header-timeout passed: the stream has closed the socket. A connection that had started a
        // request (slow headers or body) was refused; an idle keep-alive one merely ended.
        if (parser_->got_some() || buffer_.size() > 0) {
            worker_.srv().stats().reject(error_kind::bad_request);
            log::debug("request not complete within --header-timeout, closed", {{"bytes", buffer_.size()}});
        }
        return;
    }
    if constexpr (is_tls) {
        // The client left (with or without close_notify): nothing to answer, nobody to answer to.
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == net::error::connection_reset || ec == net::error::eof || ec == ssl::error::stream_truncated) {
            beast::get_lowest_layer(stream_).close();
            return;
        }
    } else {
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == net::error::connection_reset || ec == net::error::eof) {
            error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
            return;
        }
    }
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
void basic_http_session<Stream>::refuse_request(http::status status, std::string message) {
    req_ = {};
    req_.version(11);
    req_.keep_alive(false);
    worker_.srv().stats().reject(error_kind::bad_request);
    log::debug("request refused", {{"status", static_cast<int>(status)}, {"message", message}});
    beast::get_lowest_layer(stream_).expires_after(request_timeout);
    auto res = make_response(status, "application/json", error_body({error_kind::bad_request, std::move(message)}));
    res.keep_alive(false);
    send(std::move(res));
}

template <class Stream>
typename basic_http_session<Stream>::response basic_http_session<Stream>::make_response(http::status status, std::string_view content_type,
                                                   std::string body) {
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
void basic_http_session<Stream>::add_cors(http::fields& f) const {
    auto const& origins = worker_.cfg().cors_origins;
    if (origins.empty()) return;
    auto origin = req_[http::field::origin];
    for (auto const& o : origins) {
        if (o == "*") {
            f.set(http::field::access_control_allow_origin, "*");
            return;
        }
        if (!origin.empty() && o == origin) {
            f.set(http::field::access_control_allow_origin, origin);
            f.set(http::field::vary, "Origin");
            return;
        }
    }
}

template <class Stream>
void basic_http_session<Stream>::handle() {
    route r = parse_target(req_.target());
    auto method = req_.method();
    if (r.kind == route_kind::bad_target) return respond_error({error_kind::bad_request, "malformed request target"});
    if (r.kind == route_kind::stream_tickets) return serve_ticket(r);
    if (!r.is_stream()) {
        if (r.kind == route_kind::not_found) return respond_error({error_kind::not_found, "no such path"});
        if (method != http::verb::get && method != http::verb::head) {
            auto res = make_response(http::status::method_not_allowed, "application/json",
                                     error_body({error_kind::method_not_allowed, "use GET"}));
            res.set(http::field::allow, "GET, HEAD");
            return send(std::move(res));
        }
        auto ex = stream_.get_executor();
        if (r.kind == route_kind::healthz)
            return send(make_response(http::status::ok, "text/plain; charset=utf-8", "ok\n"));
        if (r.kind == route_kind::readyz)
            return worker_.srv().readiness(ex, [self = this->shared_from_this()](bool ok, std::string why) {
                self->send(self->make_response(ok ? http::status::ok : http::status::service_unavailable,
                                               "text/plain; charset=utf-8", ok ? "ready\n" : why + "\n"));
            });
        return worker_.srv().metrics_text(ex, [self = this->shared_from_this()](std::string text) {
            self->send(self->make_response(http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                                           std::move(text)));
        });
    }
    serve_stream(r);
}

// OPTIONS: the Allow list, and for an allowed origin (make_response set it) the CORS preflight answer.
template <class Stream>
auto basic_http_session<Stream>::preflight(std::string_view methods, std::string_view headers) -> response {
    auto res = make_response(http::status::no_content, "text/plain", "");
    res.set(http::field::allow, methods);
    if (res.find(http::field::access_control_allow_origin) != res.end()) {
        res.set(http::field::access_control_allow_methods, methods);
        res.set(http::field::access_control_allow_headers, headers);
        res.set(http::field::access_control_max_age, "600");
    }
    return res;
}

template <class Stream>
void basic_http_session<Stream>::serve_stream(route const& r) {
    auto method = req_.method();
    if (method == http::verb::options)
        return send(preflight(stream_methods, "Authorization, Last-Event-ID, Cache-Control, Accept"));
    if (method != http::verb::get && method != http::verb::head)
        return respond_error({error_kind::method_not_allowed, "stream paths take GET, HEAD or OPTIONS"});
    if (req_.has_content_length() ? !req_.body().empty() : req_.chunked())
        return respond_error({error_kind::bad_request, "stream requests take no body"});

    auto last_id = req_["Last-Event-ID"];
    std::string last_event_id = last_id.empty() ? r.last_event_id.value_or("") : std::string(last_id);
    if (!last_event_id.empty() && !sse::parse_event_id(last_event_id))
        return respond_error({error_kind::bad_request, "Last-Event-ID is not an event id of this stream"});

    if (!last_event_id.empty()) last_event_id_ = sse::parse_event_id(last_event_id);
    else last_event_id_.reset();
    open_request open;
    open.kind = r.kind;
    open.device_id = r.device_id;
    open.take_lease = method == http::verb::get;
    auto authz = req_[http::field::authorization];
    if (!authz.empty()) {
        auto token = bearer_token(authz);
        if (!token) return respond_error({error_kind::unauthorized, "Authorization must be 'Bearer <key>'"});
        open.key = std::move(*token);
    } else if (r.ticket && !r.ticket->empty()) {
        open.ticket = *r.ticket;  // single-use, in place of a key (POST /api/v1/stream-tickets)
    } else if (r.access_token && !r.access_token->empty()) {
        open.key = *r.access_token;
    } else {
        return respond_error({error_kind::unauthorized, "missing API key"});
    }
    beast::get_lowest_layer(stream_).expires_never();  // the decision may wait on Redis; the stream phase has its own timers
    worker_.srv().open_stream(std::move(open), stream_.get_executor(),
                              [self = this->shared_from_this()](open_result res) { self->on_open(std::move(res)); });
}

// POST /api/v1/stream-tickets: a Bearer key (never one in the URL) and an optional JSON body
// {"deviceId":"…"} buy a single-use ticket for ?ticket= on a stream path.
template <class Stream>
void basic_http_session<Stream>::serve_ticket(route const&) {
    auto method = req_.method();
    if (method == http::verb::options) return send(preflight(ticket_methods, "Authorization, Content-Type"));
    if (method != http::verb::post) {
        worker_.srv().stats().reject(error_kind::method_not_allowed);
        auto res = make_response(http::status::method_not_allowed, "application/json",
                                 error_body({error_kind::method_not_allowed, "use POST"}));
        res.set(http::field::allow, ticket_methods);
        return send(std::move(res));
    }
    auto authz = req_[http::field::authorization];
    if (authz.empty()) return respond_error({error_kind::unauthorized, "missing API key (Authorization: Bearer <key>)"});
    auto token = bearer_token(authz);
    if (!token) return respond_error({error_kind::unauthorized, "Authorization must be 'Bearer <key>'"});
    auto body = parse_ticket_body(req_[http::field::content_type], req_.body());
    if (auto* err = std::get_if<api_error>(&body)) return respond_error(*err);

    open_request open;
    open.what = open_request::action::issue_ticket;
    open.key = std::move(*token);
    open.device_id = std::get<ticket_body>(body).device_id.value_or("");
    open.take_lease = false;
    open.ticket_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(worker_.cfg().ticket_ttl);
    beast::get_lowest_layer(stream_).expires_never();  // the decision may wait on Redis
    worker_.srv().open_stream(std::move(open), stream_.get_executor(),
                              [self = this->shared_from_this()](open_result res) { self->on_open(std::move(res)); });
}

template <class Stream>
void basic_http_session<Stream>::on_open(open_result result) {
    if (auto* err = std::get_if<api_error>(&result)) return respond_error(*err);
    if (auto* t = std::get_if<ticket_issued>(&result)) {
        beast::get_lowest_layer(stream_).expires_after(request_timeout);
        // The ticket is hex: no JSON escaping needed. Never logged.
        return send(make_response(http::status::created, "application/json",
                                  "{\"ticket\":\"" + t->ticket + "\",\"expiresIn\":" +
                                      std::to_string(t->expires_in) + "}"));
    }
    start_stream(std::move(std::get<stream_grant>(result)));
}

template <class Stream>
void basic_http_session<Stream>::start_stream(stream_grant grant) {
    http::response<http::empty_body> res{http::status::ok, req_.version()};
    res.set(http::field::content_type, "text/event-stream; charset=utf-8");
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Accel-Buffering", "no");
    add_cors(res);
    if (req_.method() == http::verb::head) {
        res.keep_alive(req_.keep_alive());
        auto head = std::make_shared<http::response<http::empty_body>>(std::move(res));
        return http::async_write(stream_, *head, [self = this->shared_from_this(), head](error_code ec, std::size_t) {
            if (!ec && self->req_.keep_alive()) self->do_read();
        });
    }
    bool chunked = req_.version() >= 11;
    if (chunked) res.chunked(true);
    else res.keep_alive(false);
    std::ostringstream os;
    os << res.base();
    if constexpr (is_tls) {
        auto session = std::make_shared<sse_session>(std::make_unique<tls_stream>(std::move(stream_)), tls_ctx_,
                                                     worker_, std::move(grant), chunked, os.str(), last_event_id_,
                                                     std::move(slot_));
        session->start();
    } else {
        auto session = std::make_shared<sse_session>(stream_.release_socket(), worker_, std::move(grant), chunked,
                                                     os.str(), last_event_id_, std::move(slot_));
        session->start();
    }
}

template <class Stream>
void basic_http_session<Stream>::respond_error(api_error const& e) {
    worker_.srv().stats().reject(e.kind);
    log::debug("request refused", {{"target", redact_target(req_.target())},
                                   {"status", status_of(e.kind)},
                                   {"message", e.message}});
    beast::get_lowest_layer(stream_).expires_after(request_timeout);
    if (is_transient(e.kind) && accepts_event_stream(req_[http::field::accept])) {
        // EventSource abandons a stream for good on any status but 200: give it a 200 it can
        // back off from, with the reason as an `error` event, then close.
        static thread_local std::mt19937 rng{std::random_device{}()};
        unsigned base = retry_after_s(e.kind) * 1000;
        std::uniform_int_distribution<unsigned> jitter(base, base * 2);
        std::string body = "retry: " + std::to_string(jitter(rng)) + "\n";
        sse::append_event(body, "", "error", error_body(e));
        auto res = make_response(http::status::ok, "text/event-stream; charset=utf-8", std::move(body));
        res.set(http::field::cache_control, "no-cache");
        res.keep_alive(false);
        return send(std::move(res));
    }
    auto res = make_response(static_cast<http::status>(status_of(e.kind)), "application/json", error_body(e));
    switch (e.kind) {
    case error_kind::unauthorized:
        res.set(http::field::www_authenticate, "Bearer realm=\"sse-gateway\"");
        break;
    case error_kind::method_not_allowed: res.set(http::field::allow, stream_methods); break;
    case error_kind::too_many:
    case error_kind::unavailable: res.set(http::field::retry_after, std::to_string(retry_after_s(e.kind))); break;
    default: break;
    }
    if (e.kind == error_kind::bad_request) res.keep_alive(false);
    send(std::move(res));
}

template <class Stream>
void basic_http_session<Stream>::send(response res) {
    bool keep_alive = res.keep_alive();
    auto msg = std::make_shared<response>(std::move(res));
    http::async_write(stream_, *msg,
                      [self = this->shared_from_this(), msg, keep_alive](error_code ec, std::size_t n) {
                          self->on_sent(keep_alive, ec, n);
                      });
}

template <class Stream>
void basic_http_session<Stream>::on_sent(bool keep_alive, error_code ec, std::size_t) {
    if (ec) return;
    if (keep_alive && !worker_.srv().draining()) return do_read();
    if constexpr (is_tls) {
        shutdown_tls();
    } else {
        error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
}

template class basic_http_session<beast::tcp_stream>;
template class basic_http_session<tls_stream>;

} // namespace ssegw::gateway

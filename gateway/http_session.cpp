#include "gateway/http_session.hpp"

#include "common/log.hpp"
#include "common/sse/event_id.hpp"
#include "common/sse/frame.hpp"
#include "gateway/auth.hpp"
#include "gateway/server.hpp"
#include "gateway/sse_session.hpp"
#include "gateway/worker.hpp"

#include <random>
#include <sstream>

namespace ssegw::gateway {
namespace {

constexpr auto request_timeout = std::chrono::seconds(30);
constexpr std::uint32_t header_limit = 16 * 1024;
constexpr std::uint64_t body_limit = 64 * 1024;
constexpr char const* stream_methods = "GET, HEAD, OPTIONS";

unsigned retry_after_s(error_kind k) { return k == error_kind::too_many ? 10 : 2; }

bool accepts_event_stream(http::request<http::string_body> const& req) {
    return req[http::field::accept].find("text/event-stream") != std::string_view::npos;
}

} // namespace

http_session::http_session(tcp::socket socket, worker& w, connection_slot slot)
    : stream_(std::move(socket)), worker_(w), slot_(std::move(slot)) {}

http_session::~http_session() { worker_.track_waiting(this, false); }

void http_session::run() { do_read(); }

void http_session::close_if_idle() {
    if (buffer_.size() == 0) stream_.close();  // no byte of a next request yet
}

void http_session::do_read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(body_limit);
    stream_.expires_after(request_timeout);
    worker_.track_waiting(this, true);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(error_code ec, std::size_t) {
    worker_.track_waiting(this, false);
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
        error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        return;
    }
    if (ec) {
        // Malformed or oversized request: say why, then close (the stream position is unknown).
        req_ = {};
        req_.version(11);
        req_.keep_alive(false);
        worker_.srv().stats().reject(error_kind::bad_request);
        auto res = make_response(http::status::bad_request, "application/json",
                                 error_body({error_kind::bad_request, "malformed request: " + ec.message()}));
        res.keep_alive(false);
        return send(std::move(res));
    }
    req_ = parser_->release();
    handle();
}

http_session::response http_session::make_response(http::status status, std::string_view content_type,
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

void http_session::add_cors(http::fields& f) const {
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

void http_session::handle() {
    route r = parse_target(req_.target());
    auto method = req_.method();
    if (r.kind == route_kind::bad_target) return respond_error({error_kind::bad_request, "malformed request target"});
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
            return worker_.srv().readiness(ex, [self = shared_from_this()](bool ok, std::string why) {
                self->send(self->make_response(ok ? http::status::ok : http::status::service_unavailable,
                                               "text/plain; charset=utf-8", ok ? "ready\n" : why + "\n"));
            });
        return worker_.srv().metrics_text(ex, [self = shared_from_this()](std::string text) {
            self->send(self->make_response(http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                                           std::move(text)));
        });
    }
    serve_stream(r);
}

void http_session::serve_stream(route const& r) {
    auto method = req_.method();
    if (method == http::verb::options) {
        auto res = make_response(http::status::no_content, "text/plain", "");
        res.set(http::field::allow, stream_methods);
        if (res.find(http::field::access_control_allow_origin) != res.end()) {
            res.set(http::field::access_control_allow_methods, stream_methods);
            res.set(http::field::access_control_allow_headers, "Authorization, Last-Event-ID, Cache-Control, Accept");
            res.set(http::field::access_control_max_age, "600");
        }
        return send(std::move(res));
    }
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
    } else if (r.access_token && !r.access_token->empty()) {
        open.key = *r.access_token;
    } else {
        return respond_error({error_kind::unauthorized, "missing API key"});
    }
    stream_.expires_never();  // the decision may wait on Redis; the stream phase has its own timers
    worker_.srv().open_stream(std::move(open), stream_.get_executor(),
                              [self = shared_from_this()](open_result res) { self->on_open(std::move(res)); });
}

void http_session::on_open(open_result result) {
    if (auto* err = std::get_if<api_error>(&result)) return respond_error(*err);
    start_stream(std::move(std::get<stream_grant>(result)));
}

void http_session::start_stream(stream_grant grant) {
    http::response<http::empty_body> res{http::status::ok, req_.version()};
    res.set(http::field::content_type, "text/event-stream; charset=utf-8");
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Accel-Buffering", "no");
    add_cors(res);
    if (req_.method() == http::verb::head) {
        res.keep_alive(req_.keep_alive());
        auto head = std::make_shared<http::response<http::empty_body>>(std::move(res));
        return http::async_write(stream_, *head, [self = shared_from_this(), head](error_code ec, std::size_t) {
            if (!ec && self->req_.keep_alive()) self->do_read();
        });
    }
    bool chunked = req_.version() >= 11;
    if (chunked) res.chunked(true);
    else res.keep_alive(false);
    std::ostringstream os;
    os << res.base();
    auto session = std::make_shared<sse_session>(stream_.release_socket(), worker_, std::move(grant), chunked,
                                                 os.str(), last_event_id_, std::move(slot_));
    session->start();
}

void http_session::respond_error(api_error const& e) {
    worker_.srv().stats().reject(e.kind);
    log::debug("request refused", {{"target", redact_target(req_.target())},
                                   {"status", status_of(e.kind)},
                                   {"message", e.message}});
    stream_.expires_after(request_timeout);
    if (is_transient(e.kind) && accepts_event_stream(req_)) {
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

void http_session::send(response res) {
    bool keep_alive = res.keep_alive();
    auto msg = std::make_shared<response>(std::move(res));
    http::async_write(stream_, *msg,
                      [self = shared_from_this(), msg, keep_alive](error_code ec, std::size_t n) {
                          self->on_sent(keep_alive, ec, n);
                      });
}

void http_session::on_sent(bool keep_alive, error_code ec, std::size_t) {
    if (ec) return;
    if (keep_alive && !worker_.srv().draining()) return do_read();
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

} // namespace ssegw::gateway

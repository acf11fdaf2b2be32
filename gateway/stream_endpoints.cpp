#include "gateway/stream_endpoints.hpp"

#include "common/auth/api_key.hpp"
#include "common/http/exchange.hpp"
#include "gateway/sse_session.hpp"
#include "common/ids/device_id.hpp"
#include "gateway/stream_request.hpp"
#include "gateway/stream_transport.hpp"
#include "gateway/ticket_rules.hpp"
#include "gateway/worker.hpp"

#include <sstream>

namespace ssegw::gateway {
namespace {

using web::api_error;
using web::error_kind;
using web::exchange;

/// The connection becomes a stream on this worker, over whichever transport it came on.
void start_stream(exchange& ex, stream_grant grant, std::optional<sse::event_id> last_event_id) {
    auto const& req = ex.req();
    http::response<http::empty_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/event-stream; charset=utf-8");
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Accel-Buffering", "no");
    ex.add_cors(res);
    if (req.method() == http::verb::head) {
        // HEAD checks access and headers only: no stream, no lease, no length (a GET would stream).
        res.keep_alive(req.keep_alive());
        return ex.respond(web::response(std::move(res.base())));
    }
    bool chunked = req.version() >= 11;
    if (chunked) res.chunked(true);
    else res.keep_alive(false);
    std::ostringstream os;
    os << res.base();
    auto& w = worker::current();
    std::visit(
        [&](auto&& c) {
            using connection_t = std::decay_t<decltype(c)>;
            using transport_t =
                std::conditional_t<std::is_same_v<connection_t, web::plain_connection>, plain_transport, tls_transport>;
            std::make_shared<basic_sse_session<transport_t>>(std::move(c), w.streams(), std::move(grant), chunked, os.str(),
                                                             last_event_id)
                ->start();
        },
        ex.take_connection());
}

/// Answers what the control thread decided: a refusal, a ticket, or a stream.
void on_open(exchange& ex, open_result result, std::optional<sse::event_id> last_event_id) {
    if (auto* err = std::get_if<api_error>(&result)) return ex.refuse(*err);
    if (auto* t = std::get_if<ticket_issued>(&result)) {
        // The ticket is hex: no JSON escaping needed. Never logged.
        return ex.respond(ex.make_response(http::status::created, "application/json",
                                           "{\"ticket\":\"" + t->ticket + "\",\"expiresIn\":" +
                                               std::to_string(t->expires_in) + "}"));
    }
    start_stream(ex, std::move(std::get<stream_grant>(result)), last_event_id);
}

void decide(exchange& ex, open_request open, std::optional<sse::event_id> last_event_id) {
    ex.wait();  // the decision waits on Redis; the stream phase has its own timers
    worker::current().services().open_stream(
        std::move(open), ex.executor(), [self = ex.hold(), last_event_id](open_result r) {
            on_open(*self, std::move(r), last_event_id);
        });
}

void serve_stream(exchange& ex, stream_kind kind, std::string device_id) {
    auto const& req = ex.req();
    if (req.has_content_length() ? !req.body().empty() : req.chunked())
        return ex.refuse({error_kind::bad_request, "stream requests take no body"});
    if (kind == stream_kind::device && !ids::valid_device_id(device_id))
        return ex.refuse({error_kind::not_found, "no such path"});
    auto q = read_stream_query(ex.target());

    auto header = req["Last-Event-ID"];
    std::string last = header.empty() ? q.last_event_id.value_or("") : std::string(header);
    std::optional<sse::event_id> last_event_id;
    if (!last.empty()) {
        last_event_id = sse::parse_event_id(last);
        if (!last_event_id) return ex.refuse({error_kind::bad_request, "Last-Event-ID is not an event id of this stream"});
    }
    open_request open;
    open.kind = kind;
    open.device_id = std::move(device_id);
    open.take_lease = req.method() == http::verb::get;
    auto authz = req[http::field::authorization];
    if (!authz.empty()) {
        auto token = auth::bearer_token(authz);
        if (!token) return ex.refuse({error_kind::unauthorized, "Authorization must be 'Bearer <key>'"});
        open.key = std::move(*token);
    } else if (q.ticket && !q.ticket->empty()) {
        open.ticket = *q.ticket;  // single-use, in place of a key (POST /api/v1/stream-tickets)
    } else if (q.access_token && !q.access_token->empty()) {
        open.key = *q.access_token;
    } else {
        return ex.refuse({error_kind::unauthorized, "missing API key"});
    }
    decide(ex, std::move(open), last_event_id);
}

// A Bearer key (never one in the URL) and an optional JSON body {"deviceId":"…"} buy a single-use
// ticket for ?ticket= on a stream path.
void serve_ticket(exchange& ex) {
    auto const& req = ex.req();
    auto authz = req[http::field::authorization];
    if (authz.empty()) return ex.refuse({error_kind::unauthorized, "missing API key (Authorization: Bearer <key>)"});
    auto token = auth::bearer_token(authz);
    if (!token) return ex.refuse({error_kind::unauthorized, "Authorization must be 'Bearer <key>'"});
    auto body = parse_ticket_body(req[http::field::content_type], req.body());
    if (auto* err = std::get_if<api_error>(&body)) return ex.refuse(*err);

    open_request open;
    open.what = open_request::action::issue_ticket;
    open.key = std::move(*token);
    open.device_id = std::get<ticket_body>(body).device_id.value_or("");
    open.take_lease = false;
    open.ticket_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(worker::current().cfg().ticket_ttl);
    decide(ex, std::move(open), std::nullopt);
}

} // namespace

void add_stream_routes(web::route_table& routes) {
    constexpr char const* stream_methods = "GET, HEAD, OPTIONS";
    constexpr char const* stream_headers = "Authorization, Last-Event-ID, Cache-Control, Accept";
    routes.add("/api/v1/devices/analysis/stream/all", stream_methods, stream_headers,
               [](exchange& ex, web::path_params const&) { serve_stream(ex, stream_kind::all, {}); });
    routes.add("/api/v1/devices/{deviceId}/analysis/stream", stream_methods, stream_headers,
               [](exchange& ex, web::path_params const& p) { serve_stream(ex, stream_kind::device, p[0]); });
    routes.add("/api/v1/stream-tickets", "POST, OPTIONS", "Authorization, Content-Type",
               [](exchange& ex, web::path_params const&) { serve_ticket(ex); });
}

} // namespace ssegw::gateway

#include "webhooks/api/api_call.hpp"

#include "common/auth/api_key.hpp"
#include "common/log.hpp"
#include "common/sha256.hpp"

namespace ssegw::webhooks {

using web::api_error;
using web::error_kind;

void authorize(api_context& api, web::exchange& ex, access need, std::function<void(caller)> next) {
    if (api.draining()) return reply_error(api, ex, {error_kind::unavailable, "this instance is shutting down"});
    auto authz = ex.req()[http::field::authorization];
    // Keys in URLs end up in logs and histories: the API takes them only in the header.
    if (authz.empty()) return reply_error(api, ex, {error_kind::unauthorized, "missing API key (Authorization: Bearer <key>)"});
    auto token = auth::bearer_token(authz);
    if (!token) return reply_error(api, ex, {error_kind::unauthorized, "Authorization must be 'Bearer <key>'"});
    std::vector<std::string_view> scopes;
    if (need == access::read) scopes = {"webhook:read", "webhook:write"};
    else if (need == access::write) scopes = {"webhook:write"};
    ex.wait();
    api.redis().lookup_key(sha256_hex(*token), std::move(scopes), ex.executor(),
                           [&api, self = ex.hold(), next = std::move(next)](auth::lookup_result r) {
                               if (auto* e = std::get_if<api_error>(&r)) return reply_error(api, *self, *e);
                               next(caller{api, self, std::get<auth::key_record>(r).user_id});
                           });
}

void reply(caller const& c, http::status status, std::string data_json, std::string_view beside) {
    std::string body;
    if (status != http::status::no_content) {
        body.reserve(data_json.size() + beside.size() + 12);
        body += "{\"data\":";
        body += data_json;
        if (!beside.empty()) {
            body += ',';
            body += beside;
        }
        body += '}';
    }
    auto res = c.ex->make_response(status, "application/json", std::move(body));
    if (status == http::status::no_content) res.erase(http::field::content_type);
    c.api.count(static_cast<unsigned>(status));
    c.ex->respond(std::move(res));
}

void reply_error(api_context& api, web::exchange& ex, api_error const& e, unsigned retry_after_s) {
    auto status = web::status_of(e.kind);
    auto res = ex.make_response(static_cast<http::status>(status), "application/json", web::error_body(e));
    if (e.kind == error_kind::unauthorized) res.set(http::field::www_authenticate, "Bearer");
    if (e.kind == error_kind::unavailable) res.set(http::field::retry_after, "2");
    if (e.kind == error_kind::too_many_requests) res.set(http::field::retry_after, "1");
    if (retry_after_s > 0 && (e.kind == error_kind::unavailable || e.kind == error_kind::too_many_requests))
        res.set(http::field::retry_after, std::to_string(retry_after_s));
    api.count(status);
    ex.respond(std::move(res));
}

api_error no_webhook() { return {error_kind::not_found, "no webhook: create one with POST /api/v1/users/me/webhook"}; }

void reply_redis_failure(caller const& c, std::optional<redis::value> const& v) {
    if (v && v->is_error()) {
        log::error("webhook api: redis refused a command", {{"error", v->str}});
        return reply_error(c, {error_kind::internal, "the request could not be completed"});
    }
    reply_error(c, {error_kind::unavailable, "Redis is unavailable, try again shortly"});
}

} // namespace ssegw::webhooks

#include "webhooks/api/management_api.hpp"

#include "common/ids/uuid.hpp"
#include "common/log.hpp"
#include "common/redis/keys.hpp"
#include "common/time/iso8601.hpp"
#include "webhooks/api/api_call.hpp"
#include "webhooks/api/delivery_log.hpp"
#include "webhooks/api/test_send.hpp"
#include "webhooks/api/webhook_scripts.hpp"
#include "webhooks/model/event_types.hpp"
#include "webhooks/model/webhook_input.hpp"
#include "webhooks/model/webhook_record.hpp"
#include "webhooks/secrets/secret.hpp"
#include "webhooks/signing/signature.hpp"

namespace ssegw::webhooks {
namespace {

using web::api_error;
using web::error_kind;
using web::exchange;

url_rules urls_of(management_settings const& s) { return url_rules{s.allow_http, &s.addresses}; }

// A script's answer: 0 when the webhook's state refused it, else the webhook's fields after.
template <class Then>
void on_fields(caller c, std::optional<redis::value> v, api_error refusal, Then then) {
    if (!v || v->is_error()) return reply_redis_failure(c, v);
    if (v->type == redis::value::kind::integer && v->integer == 0) return reply_error(c, refusal);
    auto fields = v->pairs();
    if (fields.empty()) return reply_error(c, no_webhook());
    then(c, fields);
}

void reply_webhook(caller const& c, hash_fields const& f) { reply(c, http::status::ok, webhook_json(f, iso8601::now_ms())); }

// The request's body for a POST or PATCH, or the 400 already answered.
std::optional<webhook_changes> changes_of(caller const& c, input_for what) {
    auto const& req = c.ex->req();
    auto input = read_webhook_input(req[http::field::content_type], req.body(), what, urls_of(c.api.settings()));
    if (auto* e = std::get_if<api_error>(&input)) {
        reply_error(c, *e);
        return std::nullopt;
    }
    return std::get<webhook_changes>(std::move(input));
}

void get_webhook(caller c) {
    c.api.redis().command({"HGETALL", redis::keys::webhook(c.user_id)}, c.ex->executor(),
                          [c](std::optional<redis::value> v) { on_fields(c, std::move(v), no_webhook(), reply_webhook); });
}

void create_webhook(caller c) {
    auto changes = changes_of(c, input_for::create);
    if (!changes) return;
    auto secret = changes->secret.value_or(make_secret());
    auto writes = creation_writes(*changes, ids::make_uuid7());
    writes.set.emplace_back("secret");
    writes.set.push_back(c.api.settings().keys.seal(secret, c.user_id));
    c.api.redis().command(
        scripts::create(c.user_id, writes), c.ex->executor(), [c, secret](std::optional<redis::value> v) {
            api_error exists{error_kind::conflict,
                             "this user has a webhook already: change it with PATCH, or DELETE it first"};
            on_fields(c, std::move(v), exists, [&secret](caller const& c, hash_fields const& f) {
                auto body = webhook_json(f, iso8601::now_ms());
                body.pop_back();  // the webhook object, plus its secret in both forms
                body += ",\"secret\":" + nlohmann::json(secret).dump() + ",\"standardWebhooksSecret\":\"" +
                        standard_webhooks_secret(secret) + "\"}";
                log::info("webhook created", {{"userId", c.user_id}});
                reply(c, http::status::created, std::move(body));
            });
        });
}

void update_webhook(caller c) {
    auto changes = changes_of(c, input_for::update);
    if (!changes) return;
    c.api.redis().command(scripts::update(c.user_id, writes_of(*changes), changes->enabled), c.ex->executor(),
                          [c](std::optional<redis::value> v) { on_fields(c, std::move(v), no_webhook(), reply_webhook); });
}

void delete_webhook(caller c) {
    c.api.redis().command(scripts::remove(c.user_id), c.ex->executor(), [c](std::optional<redis::value> v) {
        if (!v || v->is_error()) return reply_redis_failure(c, v);
        if (v->integer == 0) return reply_error(c, no_webhook());
        log::info("webhook deleted", {{"userId", c.user_id}});
        reply(c, http::status::no_content, {});
    });
}

// The current secret opened with the key file, or the 500 that says it cannot be.
void with_secret(caller const& c, hash_fields const& f, std::function<void(std::string const&)> then) {
    auto* sealed = field_of(f, "secret");
    auto secret = sealed ? c.api.settings().keys.open(*sealed, c.user_id) : std::nullopt;
    if (!secret) {
        log::error("webhook secret does not open with the key file", {{"userId", c.user_id}});
        return reply_error(c, {error_kind::internal, "the webhook's secret cannot be read: ask the operator"});
    }
    then(*secret);
}

void get_secret(caller c) {
    c.api.redis().command({"HGETALL", redis::keys::webhook(c.user_id)}, c.ex->executor(),
                          [c](std::optional<redis::value> v) {
                              on_fields(c, std::move(v), no_webhook(), [](caller const& c, hash_fields const& f) {
                                  with_secret(c, f, [&](std::string const& secret) {
                                      reply(c, http::status::ok, secret_json(secret, f, iso8601::now_ms()));
                                  });
                              });
                          });
}

void regenerate_secret(caller c) {
    auto const& req = c.ex->req();
    auto input = read_regenerate_input(req[http::field::content_type], req.body());
    if (auto* e = std::get_if<api_error>(&input)) return reply_error(c, *e);
    auto secret = std::get<std::optional<std::string>>(input).value_or(make_secret());
    auto grace_ms = std::chrono::duration_cast<std::chrono::milliseconds>(c.api.settings().secret_grace).count();
    c.api.redis().command(scripts::regenerate(c.user_id, c.api.settings().keys.seal(secret, c.user_id), grace_ms),
                          c.ex->executor(), [c, secret](std::optional<redis::value> v) {
                              on_fields(c, std::move(v), no_webhook(), [&secret](caller const& c, hash_fields const& f) {
                                  log::info("webhook secret regenerated", {{"userId", c.user_id}});
                                  reply(c, http::status::ok, secret_json(secret, f, iso8601::now_ms()));
                              });
                          });
}

std::string const& catalogue_json() {
    static std::string const body = [] {
        std::string s = "{\"eventTypes\":[";
        for (std::size_t i = 0; i < event_types.size(); ++i)
            s += (i ? ",\"" : "\"") + std::string(event_types[i]) + "\"";
        return s + "]}";
    }();
    return body;
}

} // namespace

void management_api::add_routes(web::route_table& routes) {
    constexpr char const* headers = "Authorization, Content-Type";
    auto on = [this](access need, void (*serve)(caller)) {
        return [this, need, serve](exchange& ex, web::path_params const&) { authorize(ctx_, ex, need, serve); };
    };
    // The same for a route with one {id}, handed to `serve` with the caller.
    auto on_record = [this](access need, void (*serve)(caller, std::string const&)) {
        return [this, need, serve](exchange& ex, web::path_params const& p) {
            authorize(ctx_, ex, need, [serve, id = p[0]](caller c) { serve(std::move(c), id); });
        };
    };
    routes.add("/api/v1/users/me/webhook", "GET, POST, PATCH, DELETE, OPTIONS", headers,
               [this, on](exchange& ex, web::path_params const& p) {
                   switch (ex.req().method()) {
                   case http::verb::get: return on(access::read, get_webhook)(ex, p);
                   case http::verb::post: return on(access::write, create_webhook)(ex, p);
                   case http::verb::patch: return on(access::write, update_webhook)(ex, p);
                   default: return on(access::write, delete_webhook)(ex, p);
                   }
               });
    routes.add("/api/v1/users/me/webhook/secret", "GET, OPTIONS", headers, on(access::write, get_secret));
    routes.add("/api/v1/users/me/webhook/secret/regenerate", "POST, OPTIONS", headers,
               on(access::write, regenerate_secret));
    routes.add("/api/v1/users/me/webhook/test", "POST, OPTIONS", headers, on(access::write, test_webhook));
    routes.add("/api/v1/users/me/webhook/deliveries", "GET, OPTIONS", headers, on(access::read, list_deliveries));
    routes.add("/api/v1/users/me/webhook/deliveries/{id}", "GET, OPTIONS", headers, on_record(access::read, get_delivery));
    routes.add("/api/v1/users/me/webhook/deliveries/{id}/retry", "POST, OPTIONS", headers,
               on_record(access::write, retry_delivery));
    routes.add("/api/v1/webhook/event-types", "GET, OPTIONS", headers,
               on(access::any, [](caller c) { reply(c, http::status::ok, catalogue_json()); }));
}

} // namespace ssegw::webhooks

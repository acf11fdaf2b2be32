#include "webhooks/api/delivery_log.hpp"

#include "common/ids/uuid.hpp"
#include "common/log.hpp"
#include "webhooks/api/log_scripts.hpp"
#include "webhooks/engine/attempt_record.hpp"
#include "webhooks/model/webhook_input.hpp"

#include <variant>

namespace ssegw::webhooks {
namespace {

using web::api_error;
using web::error_kind;
namespace ls = log_scripts;

api_error no_record() { return {error_kind::not_found, "no such delivery record (records are kept for the retention period)"}; }

// The script answered something its reader does not know: logged, never shown.
void reply_unreadable(caller const& c, char const* step) {
    log::error("webhook delivery log: unexpected reply from a script", {{"step", step}});
    reply_error(c, {error_kind::internal, "the request could not be completed"});
}

// Record ids are UUIDs we made; anything else cannot name one.
std::optional<std::string> record_id_of(std::string const& s) { return ids::normalize_uuid(s); }

} // namespace

void list_deliveries(caller c) {
    auto t = web::parse_target(c.ex->req().target());
    if (!t) return reply_error(c, {error_kind::bad_request, "the request target is not readable"});
    auto q = read_log_query(*t);
    if (auto* e = std::get_if<api_error>(&q)) return reply_error(c, *e);
    auto query = std::get<log_query>(std::move(q));
    c.api.redis().command(ls::list(c.user_id, query, c.api.retention_ms()), c.ex->executor(),
                          [c, query](std::optional<redis::value> v) {
                              if (!v || v->is_error()) return reply_redis_failure(c, v);
                              auto p = ls::read_list(*v);
                              if (!p) return reply_unreadable(c, "list");
                              std::string data = "[";
                              for (auto const& r : p->records) {
                                  if (data.size() > 1) data += ',';
                                  data += record_json(r);
                              }
                              data += ']';
                              reply(c, http::status::ok, std::move(data), pagination_json(query, p->total));
                          });
}

void get_delivery(caller c, std::string const& record_id) {
    auto id = record_id_of(record_id);
    if (!id) return reply_error(c, no_record());
    c.api.redis().command(ls::get(c.user_id, *id, c.api.retention_ms()), c.ex->executor(),
                          [c](std::optional<redis::value> v) {
                              if (!v || v->is_error()) return reply_redis_failure(c, v);
                              auto r = ls::read_get(*v);
                              if (!r) return reply_unreadable(c, "get");
                              if (r->empty()) return reply_error(c, no_record());
                              reply(c, http::status::ok, record_json(*r));
                          });
}

void retry_delivery(caller c, std::string const& record_id) {
    auto const& req = c.ex->req();
    if (auto e = read_empty_input(req[http::field::content_type], req.body())) return reply_error(c, *e);
    auto id = record_id_of(record_id);
    if (!id) return reply_error(c, no_record());
    c.api.redis().command(
        ls::retry(c.user_id, *id, ids::make_uuid7(), c.api.retention_ms()), c.ex->executor(),
        [c](std::optional<redis::value> v) {
            if (!v || v->is_error()) return reply_redis_failure(c, v);
            auto r = ls::read_retry(*v);
            if (!r) return reply_unreadable(c, "retry");
            if (std::holds_alternative<ls::not_found>(*r)) return reply_error(c, no_record());
            if (std::holds_alternative<ls::no_webhook>(*r)) return reply_error(c, no_webhook());
            if (auto* refused = std::get_if<ls::conflict>(&*r)) {
                std::string why = refused->why == "disabled"  ? "the webhook is disabled: enable it first"
                                  : refused->why == "pending" ? "this delivery has an attempt pending already"
                                                              : "a test request's record cannot be retried: send a new test";
                return reply_error(c, {error_kind::conflict, why});
            }
            auto const& fields = std::get<hash_fields>(*r);
            log::info("webhook delivery retried", {{"userId", c.user_id}, {"recordId", *field_of(fields, "id")}});
            reply(c, http::status::accepted, record_json(fields));
        });
}

} // namespace ssegw::webhooks

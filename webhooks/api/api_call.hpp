// One call of the management API from the handler's side: who is calling (the Bearer key, checked
// in Redis for a scope), and the answers, each `application/json`, `Cache-Control: no-store` and
// counted in sse_gateway_webhook_requests_total{status}.
#pragma once

#include "common/http/api_error.hpp"
#include "common/http/exchange.hpp"
#include "webhooks/api/api_context.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ssegw::webhooks {

/// The scopes of the API: reading, changing (which includes revealing the secret), or any usable key.
enum class access { read, write, any };

struct caller {
    api_context& api;
    std::shared_ptr<web::exchange> ex;  // held across the Redis round trips
    std::string user_id;
};

/// Checks the key and its scope, then runs `next` on the request's worker; refusals are answered here.
void authorize(api_context& api, web::exchange& ex, access need, std::function<void(caller)> next);

/// `beside`: more members after "data" (the list's `"pagination":{…}`), or empty.
void reply(caller const& c, http::status status, std::string data_json, std::string_view beside = {});
/// `retry_after_s` > 0: the Retry-After of a 429 or 503 (else 1 and 2).
void reply_error(api_context& api, web::exchange& ex, web::api_error const& e, unsigned retry_after_s = 0);
inline void reply_error(caller const& c, web::api_error const& e, unsigned retry_after_s = 0) {
    reply_error(c.api, *c.ex, e, retry_after_s);
}
/// The 404 of a route that needs the user's webhook when there is none.
web::api_error no_webhook();
/// Redis did not answer, or answered with an error (logged, never shown).
void reply_redis_failure(caller const& c, std::optional<redis::value> const& v);

} // namespace ssegw::webhooks

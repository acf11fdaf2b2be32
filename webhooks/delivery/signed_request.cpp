#include "webhooks/delivery/signed_request.hpp"

#include "common/log.hpp"
#include "webhooks/signing/signed_headers.hpp"

#include <optional>

namespace ssegw::webhooks {

std::variant<attempt_request, attempt_result> sign_request(keyring const& keys, unsigned_request r) {
    auto secret = r.secret.empty() ? std::nullopt : keys.open(r.secret, r.user_id);
    if (!secret) {
        // Nothing is sent unsigned: the attempt fails (and a delivery's is retried) until the key
        // file opens the secret.
        log::error("webhook secret does not open with the key file", {{"userId", r.user_id}});
        attempt_result failed;
        failed.result = outcome::internal;
        failed.error_message = "internal: the webhook's secret does not open with the key file";
        return failed;
    }
    std::optional<std::string> previous;
    if (!r.previous_secret.empty()) {
        previous = keys.open(r.previous_secret, r.user_id);
        if (!previous)
            log::warn("webhook previous secret does not open with the key file: signing with the current one alone",
                      {{"userId", r.user_id}});
    }
    attempt_request req;
    req.url = std::move(r.url);
    req.body = std::move(r.body);
    req.timeout = r.timeout;
    req.headers = signed_headers(r.type, r.delivery_id, r.event_id, r.timestamp_s, req.body, *secret,
                                 previous ? std::optional<std::string_view>(*previous) : std::nullopt);
    return req;
}

} // namespace ssegw::webhooks

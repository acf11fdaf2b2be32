// One attempt's request made ready to send: the webhook's sealed secrets opened with the key ring,
// the body signed with both schemes at the attempt's timestamp. The delivery workers and the
// gateway's test request both go through here, so they sign, and refuse to send unsigned, alike.
#pragma once

#include "webhooks/delivery/attempt.hpp"
#include "webhooks/secrets/keyring.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace ssegw::webhooks {

struct unsigned_request {
    std::string url, body;
    std::chrono::milliseconds timeout{5000};
    std::string_view type, delivery_id, event_id;
    std::string_view user_id;          // the secrets' owner (their additional data), and the log's
    std::string_view secret;           // sealed
    std::string_view previous_secret;  // sealed; "" when none signs any more
    std::int64_t timestamp_s = 0;      // the attempt's start
};

/// The signed request; or, when the current secret does not open, the attempt's result (outcome
/// `internal`, nothing sent). A previous secret that does not open is left out, with a warning.
std::variant<attempt_request, attempt_result> sign_request(keyring const& keys, unsigned_request r);

} // namespace ssegw::webhooks

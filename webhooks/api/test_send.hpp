// POST /api/v1/users/me/webhook/test: the gateway itself signs and sends one `webhook_test`
// request to the webhook's current URL and answers with that attempt's delivery-log record.
#pragma once

#include "webhooks/api/api_call.hpp"

namespace ssegw::webhooks {

/// Start (lock, pending record), send (sender, refused networks), finish (result, unlock), answer 200
/// with the record, a receiver's failure included; 429 while the user's other test runs, 404
/// without a webhook. Runs on the request's worker; the send hops to the API's sender and back.
void test_webhook(caller c);

} // namespace ssegw::webhooks

// The delivery log's endpoints: GET …/webhook/deliveries (filters, pagination), GET
// …/deliveries/{id} and POST …/deliveries/{id}/retry, each answered from one Lua step.
#pragma once

#include "webhooks/api/api_call.hpp"

#include <string>

namespace ssegw::webhooks {

/// 200 {"data":[records],"pagination":{…}}; a bad or repeated parameter is a 400 naming it.
void list_deliveries(caller c);

/// 200 with the record; 404 for an unknown, expired or another user's id.
void get_delivery(caller c, std::string const& record_id);

/// 202 with the new pending record (trigger manual); 404 as get_delivery or without a webhook; 409
/// while the webhook is disabled or the delivery has a pending attempt, and for a test's record.
void retry_delivery(caller c, std::string const& record_id);

} // namespace ssegw::webhooks

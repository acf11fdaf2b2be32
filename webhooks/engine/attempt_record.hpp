// One delivery-log record as the API shows it (docs/WEBHOOKS.md, "The delivery log"), from the
// attempt hash webhook:attempt:<id>: for the list, get, retry and test answers. Pure.
#pragma once

#include "webhooks/model/webhook_record.hpp"

#include <string>

namespace ssegw::webhooks {

/// The record object, its members in this order: id, deliveryId, webhookUrl, notificationId, alertEventId,
/// severity, notificationType, deviceId, sceneId, payload, status, httpStatusCode, responseTimeMs,
/// responseBody, errorMessage, attemptNumber, maxAttempts, isFinalAttempt, trigger, scheduledAt,
/// attemptedAt, createdAt.
/// `fields`: the attempt hash (the record's member names; times in unix ms, numbers in digits, isFinalAttempt
/// "1"/"0"; a missing field is null), plus `payload`, which only the delivery hash holds (one copy
/// of the body per delivery, not per attempt): the reader adds it. The payload is embedded byte for
/// byte, as it was sent (null if it is not JSON). The engine's own fields (userId, webhookId,
/// retentionMs, token, claimedAt) are never shown.
std::string record_json(hash_fields const& fields);

} // namespace ssegw::webhooks

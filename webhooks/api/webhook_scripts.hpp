// The management API's writes, each one Lua script so that it is one atomic Redis step: racing
// requests, on one instance or many, see each other whole or not at all. Times come from Redis
// TIME, the clock every instance shares.
#pragma once

#include "webhooks/model/webhook_record.hpp"

#include <string>
#include <vector>

namespace ssegw::webhooks::scripts {

/// Creates the user's webhook unless one exists. → 0 (exists) or HGETALL of the new webhook.
std::vector<std::string> create(std::string const& user_id, field_writes const& w);

/// Applies a PATCH. `enabled` as given or not; → 0 (none) or HGETALL after. Disabling cancels the
/// pending attempts; a new url reaches those not yet claimed.
std::vector<std::string> update(std::string const& user_id, field_writes const& w, std::optional<bool> enabled);

/// Deletes the webhook and cancels its pending attempts (the delivery log stays). → 0 (none) or 1.
std::vector<std::string> remove(std::string const& user_id);

/// Makes `sealed_secret` current; the replaced one signs on for `grace_ms` (0: not at all).
/// → 0 (none) or HGETALL after.
std::vector<std::string> regenerate(std::string const& user_id, std::string const& sealed_secret, std::int64_t grace_ms);

} // namespace ssegw::webhooks::scripts

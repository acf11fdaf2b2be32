// The webhook as Redis holds it (hash webhook:<userId>: the API's field names, times in unix ms,
// subscribedTypes space-separated, filter as JSON, secrets sealed) and as the API shows it.
#pragma once

#include "webhooks/model/webhook_input.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ssegw::webhooks {

using hash_fields = std::vector<std::pair<std::string, std::string>>;

/// The value of `name` in `fields`, or nullptr.
std::string const* field_of(hash_fields const& fields, std::string_view name);

/// The hash fields a set of changes writes (secrets excepted: they are sealed by the caller),
/// and those it deletes (a name set to null).
struct field_writes {
    std::vector<std::string> set;  // name, value, name, value, …
    std::vector<std::string> del;
};
field_writes writes_of(webhook_changes const& c);

/// The defaults a new webhook starts from, under the changes of its POST.
field_writes creation_writes(webhook_changes const& c, std::string const& id);

/// The webhook object of the API (secrets never included). `now_ms` decides whether a previous
/// secret is still in its grace period.
std::string webhook_json(hash_fields const& fields, std::int64_t now_ms);

/// {"secret","standardWebhooksSecret","previousSecretExpiresAt"} for the current secret.
std::string secret_json(std::string const& secret, hash_fields const& fields, std::int64_t now_ms);

/// When the previous secret stops signing (unix ms), if it still does at `now_ms`.
std::optional<std::int64_t> previous_secret_until(hash_fields const& fields, std::int64_t now_ms);

} // namespace ssegw::webhooks

// Reads the JSON bodies of the webhook management API: the members of a POST or PATCH of the
// webhook and of a secret regeneration, each checked by the API's validation rules. A refusal
// names the member (`field`) it is about. Pure.
#pragma once

#include "common/http/api_error.hpp"
#include "webhooks/model/url_rules.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ssegw::webhooks {

/// What a request sets; an unset optional leaves the stored value alone.
struct webhook_changes {
    std::optional<std::string> url;
    std::optional<std::optional<std::string>> name;  // a value, or null (unset)
    std::optional<std::string> secret;               // POST only
    std::optional<std::string> subscribed_types;     // space-separated, catalogue order, no duplicates
    std::optional<std::string> filter;               // compact JSON: {} or {"deviceIds":[…],"sceneIds":[…]}
    std::optional<int> timeout_ms, max_retries;
    std::optional<bool> enabled;
};

enum class input_for { create, update };

std::variant<web::api_error, webhook_changes> read_webhook_input(std::string_view content_type, std::string_view body,
                                                                 input_for what, url_rules const& urls);

/// A regeneration's body: `{}` (or none) for a made secret, or `{"secret":"…"}`.
std::variant<web::api_error, std::optional<std::string>> read_regenerate_input(std::string_view content_type,
                                                                               std::string_view body);

/// The body of a POST that takes no input (the test request): none, or `{}`; a member is a 400
/// naming it.
std::optional<web::api_error> read_empty_input(std::string_view content_type, std::string_view body);

} // namespace ssegw::webhooks

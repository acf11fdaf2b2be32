// The webhook flags that sse-gateway (its management API) and sse-webhookd share, with the same
// names and meanings in both, each read from the program's own environment variables.
#pragma once

#include "webhooks/model/address_policy.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace ssegw::webhooks {

struct webhook_options {
    std::string key_file;                            // empty: the gateway serves no webhook API
    std::chrono::seconds retention{2592000};         // delivery records older than this are gone
    bool allow_http = false;
    std::vector<network> allow_nets;                 // exceptions to the outbound address rules
    std::string ca_file;                             // empty: the system store
    std::chrono::seconds secret_grace{86400};        // gateway: how long a replaced secret still signs
};

/// Declares the shared flags; `env_prefix` like "SSE_GATEWAY_". `with_grace`: also
/// --webhook-secret-grace (the gateway's).
void add_webhook_flags(CLI::App& app, webhook_options& o, std::string const& env_prefix, bool with_grace);

} // namespace ssegw::webhooks

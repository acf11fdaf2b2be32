// sse-webhookd's settings: every flag of docs/OPERATIONS.md's webhook section, each also read
// from its SSE_WEBHOOKD_* variable (a flag beats the variable). The --webhook-* flags are the
// gateway's, with the same meanings.
#pragma once

#include "common/log.hpp"
#include "common/redis/url.hpp"
#include "webhooks/secrets/keyring.hpp"
#include "webhooks/webhook_flags.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string>

namespace ssegw::webhookd {

struct config {
    std::string listen_host = "127.0.0.1";
    unsigned short listen_port = 9090;
    std::string redis_url = "redis://127.0.0.1:6379/0";
    redis::endpoint redis;
    std::string instance_id;  // default hostname:pid: the consumer's name and the claims'
    log::level log_level = log::level::info;
    webhooks::webhook_options webhook;
    std::optional<webhooks::keyring> keys;  // from --webhook-secret-key-file (required)
    unsigned max_in_flight = 256;
    unsigned max_in_flight_per_webhook = 16;
    std::array<std::chrono::seconds, 5> retry_schedule{std::chrono::seconds(60), std::chrono::seconds(300),
                                                       std::chrono::seconds(1800), std::chrono::seconds(7200),
                                                       std::chrono::seconds(18000)};
    double retry_jitter = 0.2;
    std::chrono::seconds retry_after_max{3600};
    std::chrono::seconds reclaim_after{30};
    unsigned disable_after_failures = 100;     // 0: never
    std::chrono::seconds disable_after{432000};  // 0: never
    std::chrono::seconds drain_timeout{35};
};

/// Run with `cfg`, or exit with `exit_code` after printing `message` (help on stdout, a one-line
/// error on stderr).
struct parse_result {
    std::optional<config> cfg;
    int exit_code = 0;
    std::string message;
};

/// `getenv` is injectable so tests need not touch the process environment.
parse_result parse_config(int argc, char const* const* argv, char const* (*getenv_fn)(char const*) = nullptr);

/// "60,300,1800,7200,18000": exactly five whole numbers of seconds, each 1-86400; empty on success,
/// else why not.
std::string parse_retry_schedule(std::string const& text, std::array<std::chrono::seconds, 5>& out);

} // namespace ssegw::webhookd

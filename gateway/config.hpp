// The gateway's settings: every flag of docs/OPERATIONS.md, each also read from its
// SSE_GATEWAY_* environment variable (a flag beats the variable).
#pragma once

#include "common/log.hpp"
#include "common/redis/url.hpp"
#include "webhooks/secrets/keyring.hpp"
#include "webhooks/webhook_flags.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ssegw::gateway {

using seconds_d = std::chrono::duration<double>;

struct config {
    std::string listen_host = "127.0.0.1";
    unsigned short listen_port = 8080;
    std::string redis_url = "redis://127.0.0.1:6379/0";
    redis::endpoint redis;
    unsigned threads = 0;  // 0: one per core
    seconds_d keepalive_interval{15};
    seconds_d idle_timeout{300};
    unsigned max_conns_per_user = 10;
    unsigned retry_ms = 3000;
    std::size_t max_queued_bytes = 1048576;
    seconds_d write_timeout{30};
    std::size_t max_connections = 100000;
    seconds_d header_timeout{10};       // a request (head and body) must arrive within this; also bounds keep-alive idle
    unsigned max_conn_rate_per_ip = 0;  // new connections per second per client IP (token bucket); 0: off
    std::vector<std::string> cors_origins;
    std::string instance_id;  // default hostname:pid
    log::level log_level = log::level::info;
    std::string tls_cert, tls_key;
    seconds_d lease_ttl{90};  // a dead instance's stream slots free themselves after this
    seconds_d ticket_ttl{60};  // a stream ticket (POST /api/v1/stream-tickets) is valid this long
    webhooks::webhook_options webhook;
    std::optional<webhooks::keyring> webhook_keys;  // from --webhook-secret-key-file: the webhook API is on
};

/// What parse_config decided: run with `cfg`, or exit with `exit_code` after printing `message`
/// (help text on stdout for --help, a one-line error on stderr otherwise).
struct parse_result {
    std::optional<config> cfg;
    int exit_code = 0;
    std::string message;
};

/// `getenv` is injectable so tests need not touch the process environment.
parse_result parse_config(int argc, char const* const* argv,
                          char const* (*getenv_fn)(char const*) = nullptr);

std::string help_text();

} // namespace ssegw::gateway

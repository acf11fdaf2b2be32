#include "gateway/config.hpp"

#include "common/flags/flags.hpp"

#include <algorithm>
#include <thread>

namespace ssegw::gateway {
namespace {

CLI::Validator text_check(std::string (*why_not)(std::string const&)) {
    return CLI::Validator([why_not](std::string& v) { auto why = why_not(v); return why.empty() ? why : "'" + v + "': " + why; }, "");
}

std::string origin_problem(std::string const& v) {
    return v.empty() || v.find_first_of("\r\n ") != std::string::npos
               ? "expects an origin such as https://app.example.com or *"
               : "";
}

// Every flag of docs/OPERATIONS.md and its SSE_GATEWAY_* variable, writing into `c`.
void declare(flags::command_line& cl, config& c) {
    CLI::App& app = cl.app();
    auto env = [](char const* name) { return std::string("SSE_GATEWAY_") + name; };

    flags::add_listen(app, c.listen_host, c.listen_port, "SSE_GATEWAY_");
    flags::add_redis(app, c.redis_url, c.redis);
    app.add_option("--threads", c.threads, "worker threads")
        ->envname(env("THREADS"))->type_name("N")->transform(flags::whole_number(1, 1024))->default_str("number of cores");
    app.add_option<seconds_d, double>("--keepalive-interval", c.keepalive_interval,
                                      "seconds between ': keepalive' comments on a quiet stream")
        ->envname(env("KEEPALIVE_INTERVAL"))->type_name("S")->check(flags::seconds())->default_str("15");
    app.add_option<seconds_d, double>("--idle-timeout", c.idle_timeout, "seconds without an event before a stream is closed")
        ->envname(env("IDLE_TIMEOUT"))->type_name("S")->check(flags::seconds())->default_str("300");
    app.add_option("--max-conns-per-user", c.max_conns_per_user, "concurrent streams per user across all instances")
        ->envname(env("MAX_CONNS_PER_USER"))->type_name("N")->transform(flags::whole_number(1, 1000000))->capture_default_str();
    app.add_option("--retry-ms", c.retry_ms, "the retry: value sent at stream start")
        ->envname(env("RETRY_MS"))->type_name("N")->transform(flags::whole_number(0, 86400000))->capture_default_str();
    app.add_option("--max-queued-bytes", c.max_queued_bytes, "unsent bytes one stream may hold before it is cut")
        ->envname(env("MAX_QUEUED_BYTES"))->type_name("N")->transform(flags::whole_number(1024, 1ull << 34))->capture_default_str();
    app.add_option<seconds_d, double>("--write-timeout", c.write_timeout, "seconds without write progress before a stream is cut")
        ->envname(env("WRITE_TIMEOUT"))->type_name("S")->check(flags::seconds())->default_str("30");
    app.add_option("--max-connections", c.max_connections, "open client connections per instance")
        ->envname(env("MAX_CONNECTIONS"))->type_name("N")->transform(flags::whole_number(1, 10000000))->capture_default_str();
    app.add_option<seconds_d, double>("--header-timeout", c.header_timeout,
                                      "seconds a client has to send a whole request (slow headers are cut); also bounds keep-alive idle")
        ->envname(env("HEADER_TIMEOUT"))->type_name("S")->check(flags::seconds())->default_str("10");
    app.add_option("--max-conn-rate-per-ip", c.max_conn_rate_per_ip,
                   "new connections per second per client IP, over it refused with 429 (0: off)")
        ->envname(env("MAX_CONN_RATE_PER_IP"))->type_name("N")->transform(flags::whole_number(0, 1000000))->capture_default_str();
    app.add_option("--cors-origin", c.cors_origins, "allowed CORS origin (repeatable; * allowed)")
        ->envname(env("CORS_ORIGIN"))->type_name("ORIGIN")->check(text_check(origin_problem))->default_str("none");
    flags::add_instance_id(app, c.instance_id, "SSE_GATEWAY_");
    flags::add_log_level(app, c.log_level, "SSE_GATEWAY_");
    app.add_option("--tls-cert", c.tls_cert,
                   "certificate chain (PEM): serve HTTPS (TLS 1.2+) instead of plain HTTP; with --tls-key; "
                   "SIGHUP reloads both files for new connections")
        ->envname(env("TLS_CERT"))->type_name("FILE")->default_str("off");
    app.add_option("--tls-key", c.tls_key, "private key (PEM) of --tls-cert")
        ->envname(env("TLS_KEY"))->type_name("FILE")->default_str("off");
    app.add_option<seconds_d, double>("--lease-ttl", c.lease_ttl, "seconds after which a dead instance's stream slots expire")
        ->envname(env("LEASE_TTL"))->type_name("S")->check(flags::seconds())->default_str("90");
    app.add_option<seconds_d, double>("--ticket-ttl", c.ticket_ttl, "seconds a stream ticket stays valid (tests shorten it)")
        ->envname(env("TICKET_TTL"))->type_name("S")->check(flags::seconds())->default_str("60");
    webhooks::add_webhook_flags(app, c.webhook, "SSE_GATEWAY_", true);
}

constexpr char const* about =
    "Usage: sse-gateway [FLAGS]\n"
    "Streams analysis results from Redis to HTTP clients as Server-Sent Events.\n\n"
    "Every flag also reads its environment variable; a flag beats the variable.";

} // namespace

std::string help_text() {
    config c;
    flags::command_line cl("sse-gateway", about);
    declare(cl, c);
    return cl.help();
}

parse_result parse_config(int argc, char const* const* argv, char const* (*getenv_fn)(char const*)) {
    config c;
    flags::command_line cl("sse-gateway", about);
    declare(cl, c);
    auto r = cl.parse(argc, argv, getenv_fn);
    if (r.ok && c.tls_cert.empty() != c.tls_key.empty())
        r = cl.error("--tls-cert and --tls-key go together: give both (HTTPS) or neither (plain HTTP)");
    if (r.ok && !c.webhook.key_file.empty()) {
        std::string why;
        c.webhook_keys = webhooks::keyring::load(c.webhook.key_file, why);
        if (!c.webhook_keys) r = cl.error(why);
    }
    if (!r.ok) return {std::nullopt, r.exit_code, std::move(r.message)};
    if (c.threads == 0) c.threads = std::max(1u, std::thread::hardware_concurrency());
    if (c.instance_id.empty()) c.instance_id = flags::default_instance_id();
    return {std::move(c), 0, {}};
}

} // namespace ssegw::gateway

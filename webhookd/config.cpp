#include "webhookd/config.hpp"

#include "common/flags/flags.hpp"

#include <charconv>

namespace ssegw::webhookd {
namespace {

constexpr char const* about =
    "Usage: sse-webhookd [FLAGS]\n"
    "Delivers the platform's webhook events: signs them, POSTs them to each user's endpoint, retries,\n"
    "and records every attempt. Any number of instances share one Redis and split the work.\n\n"
    "Every flag also reads its environment variable; a flag beats the variable.";

CLI::Option* add_seconds(CLI::App& app, std::string const& name, std::chrono::seconds& into, std::uint64_t min,
                         std::uint64_t max, std::string const& help, std::string const& env) {
    return app
        .add_option_function<std::uint64_t>(name, [&into](std::uint64_t v) { into = std::chrono::seconds(v); }, help)
        ->type_name("S")->transform(flags::whole_number(min, max))->default_str(std::to_string(into.count()))
        ->envname(env);
}

void declare(flags::command_line& cl, config& c) {
    CLI::App& app = cl.app();
    auto env = [](char const* name) { return std::string("SSE_WEBHOOKD_") + name; };
    flags::add_listen(app, c.listen_host, c.listen_port, "SSE_WEBHOOKD_")
        ->description("/healthz, /readyz and /metrics (IPv4 or [::1]:port; port 0 picks one)");
    flags::add_redis(app, c.redis_url, c.redis)->envname(env("REDIS"));
    flags::add_instance_id(app, c.instance_id, "SSE_WEBHOOKD_");
    flags::add_log_level(app, c.log_level, "SSE_WEBHOOKD_");
    webhooks::add_webhook_flags(app, c.webhook, "SSE_WEBHOOKD_", false);
    app.add_option("--max-in-flight", c.max_in_flight, "concurrent attempts of this instance")
        ->envname(env("MAX_IN_FLIGHT"))->type_name("N")->transform(flags::whole_number(1, 100000))->capture_default_str();
    app.add_option("--max-in-flight-per-webhook", c.max_in_flight_per_webhook,
                   "concurrent attempts of this instance to one webhook")
        ->envname(env("MAX_IN_FLIGHT_PER_WEBHOOK"))->type_name("N")->transform(flags::whole_number(1, 100000))
        ->capture_default_str();
    flags::add_setting(app, "--retry-schedule",
                       [&c](std::string const& v) { return parse_retry_schedule(v, c.retry_schedule); },
                       "seconds before retries 1-5: five whole numbers, each 1-86400")
        ->envname(env("RETRY_SCHEDULE"))->type_name("LIST")->default_str("60,300,1800,7200,18000");
    app.add_option("--retry-jitter", c.retry_jitter, "each retry delay times a uniform factor in [1-F, 1+F]")
        ->envname(env("RETRY_JITTER"))->type_name("F")->check(flags::number(0, 0.5))->default_str("0.2");
    add_seconds(app, "--retry-after-max", c.retry_after_max, 0, 86400 * 7, "cap on a receiver's Retry-After",
                env("RETRY_AFTER_MAX"));
    add_seconds(app, "--reclaim-after", c.reclaim_after, 1, 86400,
                "an event entry unacknowledged this long, or a claimed attempt this long past its timeout, is taken over",
                env("RECLAIM_AFTER"));
    app.add_option("--disable-after-failures", c.disable_after_failures,
                   "consecutive failed deliveries that disable a webhook (0: never)")
        ->envname(env("DISABLE_AFTER_FAILURES"))->type_name("N")->transform(flags::whole_number(0, 1000000000))
        ->capture_default_str();
    add_seconds(app, "--disable-after", c.disable_after, 0, 86400 * 365,
                "continuous failure that disables a webhook (0: never)", env("DISABLE_AFTER"));
    add_seconds(app, "--drain-timeout", c.drain_timeout, 1, 3600,
                "SIGTERM: time for in-flight attempts to finish and be recorded", env("DRAIN_TIMEOUT"));
}

} // namespace

std::string parse_retry_schedule(std::string const& text, std::array<std::chrono::seconds, 5>& out) {
    std::array<std::chrono::seconds, 5> values{};
    std::size_t n = 0, pos = 0;
    while (true) {
        auto comma = text.find(',', pos);
        auto part = std::string_view(text).substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        unsigned v = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (n == values.size() || part.empty() || ec != std::errc{} || end != part.data() + part.size() || v < 1 ||
            v > 86400)
            return "expects exactly five whole numbers of seconds, each 1-86400, separated by commas";
        values[n++] = std::chrono::seconds(v);
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    if (n != values.size()) return "expects exactly five whole numbers of seconds, each 1-86400, separated by commas";
    out = values;
    return {};
}

parse_result parse_config(int argc, char const* const* argv, char const* (*getenv_fn)(char const*)) {
    config c;
    flags::command_line cl("sse-webhookd", about);
    declare(cl, c);
    auto r = cl.parse(argc, argv, getenv_fn);
    if (r.ok && c.webhook.key_file.empty())
        r = cl.error("--webhook-secret-key-file is required: the keys that open the webhooks' secrets");
    if (r.ok) {
        std::string why;
        c.keys = webhooks::keyring::load(c.webhook.key_file, why);
        if (!c.keys) r = cl.error(why);
    }
    if (!r.ok) return {std::nullopt, r.exit_code, std::move(r.message)};
    if (c.instance_id.empty()) c.instance_id = flags::default_instance_id();
    return {std::move(c), 0, {}};
}

} // namespace ssegw::webhookd

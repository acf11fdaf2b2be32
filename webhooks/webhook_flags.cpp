#include "webhooks/webhook_flags.hpp"

#include "common/flags/flags.hpp"

#include <cstdint>

namespace ssegw::webhooks {
namespace {

CLI::Option* add_seconds(CLI::App& app, std::string const& name, std::chrono::seconds& into, std::uint64_t min,
                         std::string const& help) {
    return app
        .add_option_function<std::uint64_t>(
            name, [&into](std::uint64_t v) { into = std::chrono::seconds(v); }, help)
        ->type_name("S")
        ->transform(flags::whole_number(min, 10ull * 365 * 86400))
        ->default_str(std::to_string(into.count()));
}

} // namespace

void add_webhook_flags(CLI::App& app, webhook_options& o, std::string const& env_prefix, bool with_grace) {
    app.add_option("--webhook-secret-key-file", o.key_file,
                   "AES-256 keys (lines of 64 hex digits, chmod 600) that seal webhook secrets at rest; "
                   "the first seals, all open")
        ->envname(env_prefix + "WEBHOOK_SECRET_KEY_FILE")->type_name("FILE")->default_str("none");
    add_seconds(app, "--webhook-retention", o.retention, 1, "age in seconds at which delivery records are gone")
        ->envname(env_prefix + "WEBHOOK_RETENTION");
    app.add_flag("--webhook-allow-http", o.allow_http, "accept and send http:// webhook URLs (tests, local receivers)")
        ->envname(env_prefix + "WEBHOOK_ALLOW_HTTP");
    app.add_option_function<std::vector<std::string>>(
           "--webhook-allow-net",
           [&o](std::vector<std::string> const& nets) {
               o.allow_nets.clear();
               for (auto const& n : nets) o.allow_nets.push_back(*parse_network(n));
           },
           "repeatable; webhook addresses inside this network are allowed though private")
        ->check(CLI::Validator(
            [](std::string& v) {
                return parse_network(v) ? std::string()
                                        : "'" + v + "': expects a network such as 10.1.0.0/16 or fd00::/8";
            },
            ""))
        ->envname(env_prefix + "WEBHOOK_ALLOW_NET")->type_name("CIDR")->default_str("none");
    app.add_option("--webhook-ca-file", o.ca_file, "PEM CAs that replace the system store for webhook receivers")
        ->envname(env_prefix + "WEBHOOK_CA_FILE")->type_name("FILE")->default_str("system store");
    if (with_grace)
        add_seconds(app, "--webhook-secret-grace", o.secret_grace, 0,
                    "seconds a replaced webhook secret still signs after a regeneration (0: not at all)")
            ->envname(env_prefix + "WEBHOOK_SECRET_GRACE");
}

} // namespace ssegw::webhooks

#include "common/flags/flags.hpp"

#include <boost/asio/ip/address.hpp>

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

namespace ssegw::flags {
namespace {

std::string refused(std::string const& value, std::string const& why) { return "'" + value + "': " + why; }

std::string shortest(double v) {
    if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));  // 1000000, not 1e+06
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::to_string(v);
}

// The layout of the hand-written help texts this replaces: the flag, its value's name and its
// variable on one line, what it does and its default indented below; no usage line of CLI11's
// own (the description starts with the program's usage).
class formatter : public CLI::Formatter {
public:
    std::string make_usage(CLI::App const*, std::string) const override { return {}; }

    std::string make_option_opts(CLI::Option const* o) const override {
        std::string out;
        if (o->get_type_size() != 0 && !o->get_type_name().empty()) out += " " + o->get_type_name();
        if (!o->get_envname().empty()) out += "  (env " + o->get_envname() + ")";
        return out;
    }

    std::string make_option(CLI::Option const* o, bool positional) const override {
        std::string text = o->get_description();
        if (o->get_type_size() != 0 && !o->get_default_str().empty())
            text += " [default: " + o->get_default_str() + "]";
        return "  " + make_option_name(o, positional) + make_option_opts(o) + "\n      " + text + "\n";
    }
};

// CLI11's wording for the few errors that name no value of ours, made to read like the rest.
std::string describe(CLI::ParseError const& e) {
    std::string const what = e.what();
    if (auto colon = what.find(": "); colon != std::string::npos && what.ends_with(" missing"))
        return what.substr(0, colon) + " needs a value (see --help)";
    if (auto at = what.find(" was given a disallowed flag override"); at != std::string::npos)
        return "--" + what.substr(0, at) + " takes no value (see --help)";
    if (dynamic_cast<CLI::ValidationError const*>(&e) || dynamic_cast<CLI::ConversionError const*>(&e))
        return what;
    return what + " (see --help)";
}

std::string unexpected(std::vector<std::string> const& remaining) {
    if (remaining.empty()) return "unexpected arguments (see --help)";
    std::string const& first = remaining.front();
    if (first.size() > 1 && first.front() == '-')
        return "unknown flag " + first.substr(0, first.find('=')) + " (see --help)";
    return "unexpected argument '" + first + "' (see --help)";
}

// Empty, or why `v` is not HOST:PORT / [IPv6]:PORT; on success the parts go to host and port.
std::string parse_listen(std::string const& v, std::string& host, unsigned short& port) {
    std::string h, p;
    if (!v.empty() && v.front() == '[') {
        auto close = v.find("]:");
        if (close == std::string::npos) return "expects HOST:PORT or [IPv6]:PORT";
        h = v.substr(1, close - 1);
        p = v.substr(close + 2);
    } else {
        auto colon = v.rfind(':');
        if (colon == std::string::npos || v.find(':') != colon) return "expects HOST:PORT or [IPv6]:PORT";
        h = v.substr(0, colon);
        p = v.substr(colon + 1);
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address(h, ec);
    if (ec) return "host must be an IP address";
    unsigned n = 0;
    auto [end, perr] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (p.empty() || perr != std::errc{} || end != p.data() + p.size() || n > 65535) return "bad port";
    host = h;
    port = static_cast<unsigned short>(n);
    return {};
}

} // namespace

CLI::Option* add_listen(CLI::App& app, std::string& host, unsigned short& port, std::string const& env_prefix) {
    auto default_text = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
    return add_setting(app, "--listen", [&host, &port](std::string const& v) { return parse_listen(v, host, port); },
                       "HTTP listen address (IPv4 or [::1]:port; port 0 picks one)")
        ->envname(env_prefix + "LISTEN")->type_name("HOST:PORT")->default_str(default_text);
}

CLI::Option* add_instance_id(CLI::App& app, std::string& id, std::string const& env_prefix) {
    return app.add_option("--instance-id", id, "names this instance in Redis and in logs")
        ->envname(env_prefix + "INSTANCE_ID")->type_name("ID")
        ->check(CLI::Validator(
            [](std::string& v) {
                return v.empty() || v.size() > 200 || v.find_first_of(" \r\n\t") != std::string::npos
                           ? refused(v, "expects 1-200 characters without spaces")
                           : std::string();
            },
            ""))
        ->default_str("hostname:pid");
}

CLI::Option* add_log_level(CLI::App& app, log::level& level, std::string const& env_prefix) {
    return add_setting(app, "--log-level",
                       [&level](std::string const& v) {
                           return log::parse_level(v, level) ? "" : "expects debug, info, warn or error";
                       },
                       "debug, info, warn or error")
        ->envname(env_prefix + "LOG_LEVEL")->type_name("LEVEL")->default_str("info");
}

std::string default_instance_id() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
    return std::string(host) + ":" + std::to_string(getpid());
}

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
    return CLI::Validator(
        [min, max](std::string& v) -> std::string {
            std::uint64_t n = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || n < min || n > max)
                return refused(v, "expects a whole number from " + std::to_string(min) + " to " + std::to_string(max));
            v = std::to_string(n);
            return {};
        },
        "");
}

CLI::Validator number(double min, double max) {
    return CLI::Validator(
        [min, max](std::string& v) -> std::string {
            char* end = nullptr;
            double const d = std::strtod(v.c_str(), &end);
            if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(d) || d < min || d > max)
                return refused(v, "expects a number from " + shortest(min) + " to " + shortest(max));
            return {};
        },
        "");
}

CLI::Validator seconds() {
    return CLI::Validator(
        [](std::string& v) -> std::string {
            char* end = nullptr;
            double const d = std::strtod(v.c_str(), &end);
            if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(d) || d <= 0 || d > 365.0 * 86400)
                return refused(v, "expects a positive number of seconds");
            return {};
        },
        "");
}

CLI::Option* add_setting(CLI::App& app, std::string const& name, std::function<std::string(std::string const&)> apply,
                         std::string const& help) {
    // Thrown from the callback, a ValidationError is reported as a check's would be: by name, one line.
    return app.add_option_function<std::string>(
        name,
        [name, apply = std::move(apply)](std::string const& v) {
            if (auto why = apply(v); !why.empty()) throw CLI::ValidationError(name, refused(v, why));
        },
        help);
}

CLI::Option* add_redis(CLI::App& app, std::string& url, redis::endpoint& endpoint) {
    std::string error;
    if (auto ep = redis::parse_url(url, error)) endpoint = *ep;
    return add_setting(app, "--redis",
                       [&url, &endpoint](std::string const& v) {
                           std::string err;
                           auto ep = redis::parse_url(v, err);
                           if (!ep) return err;
                           url = v;
                           endpoint = *ep;
                           return std::string();
                       },
                       "redis://[:password@]host:port[/db]")
        ->envname("SSE_GATEWAY_REDIS")->type_name("URL")->default_str(url);
}

command_line::command_line(std::string program, std::string description, std::string footer)
    : program_(std::move(program)), app_(std::move(description), program_) {
    app_.formatter(std::make_shared<formatter>());
    app_.set_help_flag("-h,--help", "this text");
    app_.footer(std::move(footer));
    // A switch takes no value; a single-valued flag given twice is refused in parse().
    app_.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->disable_flag_override();
}

result command_line::parse(int argc, char const* const* argv, getenv_fn getenv) {
    if (!getenv) getenv = [](char const* name) -> char const* { return std::getenv(name); };

    // CLI11 reads the variables itself, with std::getenv, halfway through App::parse(): an
    // injected getenv could not reach them. So while CLI11 reads the command line the options
    // carry no variable name; then each option no flag gave takes its variable through `getenv`
    // and the very callback and checks a flag's value goes through (a flag beats its variable, a
    // bad variable is refused by name); then the names go back on, for --help.
    // One exception to "a variable is a value": CLI11 would skip an empty one, we refuse it where
    // an empty flag value is refused (SSE_GATEWAY_IDLE_TIMEOUT= must not mean the default).
    std::vector<std::pair<CLI::Option*, std::string>> variables;
    for (CLI::Option* o : app_.get_options()) {
        if (!o->get_envname().empty()) {
            variables.emplace_back(o, o->get_envname());
            o->envname("");
        }
        // One value per occurrence: `--cors-origin a b` is an unexpected b, not two origins.
        if (o->nonpositional()) o->allow_extra_args(false);
    }

    bool help = false;
    std::string bad;
    try {
        app_.parse(argc, argv);
        // Two values for one setting is a mistake in a unit file or a script: say so rather than
        // let one of them win silently.
        for (CLI::Option* o : app_.get_options())
            if (o->nonpositional() && o->get_expected_max() == 1 && o->count() > 1)
                throw CLI::ParseError(o->get_name() + ": given more than once", CLI::ExitCodes::ArgumentMismatch);
        for (auto const& [o, name] : variables) {
            if (o->count() > 0) continue;
            char const* value = getenv(name.c_str());
            if (!value) continue;
            try {
                o->add_result(std::string(value));
                o->run_callback();
            } catch (CLI::ParseError const& e) {
                std::string what = e.what();
                if (std::string const flag = o->get_name() + ": "; what.starts_with(flag)) what.erase(0, flag.size());
                bad = name + ": " + what;
                break;
            }
        }
    } catch (CLI::CallForHelp const&) {
        help = true;
    } catch (CLI::ExtrasError const&) {
        bad = unexpected(app_.remaining());
    } catch (CLI::ParseError const& e) {
        bad = describe(e);
    } catch (std::exception const& e) {
        bad = e.what();
    }
    for (auto const& [o, name] : variables) o->envname(name);

    if (help) return {false, 0, app_.help()};
    if (!bad.empty()) return error(bad);
    return {};
}

result command_line::error(std::string const& what) const {
    std::string line = program_ + ": " + what;
    for (char& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    return {false, 2, std::move(line)};
}

} // namespace ssegw::flags

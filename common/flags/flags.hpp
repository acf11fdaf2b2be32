// Flags and environment variables for every executable (sse-gateway, sse-publish, sse-bench):
// options are declared with CLI11, and parse() turns every outcome into one result to act on.
#pragma once

#include "common/log.hpp"
#include "common/redis/url.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace ssegw::flags {

/// std::getenv's shape: tests pass their own so the process environment stays untouched.
using getenv_fn = char const* (*)(char const*);

/// Run (`ok`), or print `message` and exit with `exit_code`: 0 with the help text (stdout),
/// 2 with a one-line error (stderr).
struct result {
    bool ok = true;
    int exit_code = 0;
    std::string message;
};

// Our own number checks rather than CLI::Range and CLI11's conversions: those read 010 as octal
// and 0x10 as hex, and let NaN through a range; the parsers these replace did neither.

/// A decimal whole number in [min, max]. Use with ->transform(): it also rewrites the text to plain
/// decimal (010 -> 10) so that CLI11's own conversion reads what the check read.
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max);
/// A finite decimal number in [min, max] (->check()).
CLI::Validator number(double min, double max);
/// A positive, finite number of seconds, at most a year (->check()).
CLI::Validator seconds();

/// A value only `apply` can judge (an address, a URL, a list): it takes the text into the setting,
/// or returns why not, which is reported like any bad value.
CLI::Option* add_setting(CLI::App& app, std::string const& name,
                         std::function<std::string(std::string const&)> apply, std::string const& help);

/// --redis URL with variable SSE_GATEWAY_REDIS, shared by every program that talks to the platform's
/// Redis: sets `url` and `endpoint` together (`endpoint` starts as `url`'s default).
CLI::Option* add_redis(CLI::App& app, std::string& url, redis::endpoint& endpoint);

/// --listen HOST:PORT (an IP address, IPv6 as [::1]:port; port 0 picks one), with variable
/// `<env_prefix>LISTEN`; `host` and `port` hold the default until a value is given.
CLI::Option* add_listen(CLI::App& app, std::string& host, unsigned short& port, std::string const& env_prefix);

/// --instance-id ID (1-200 characters without spaces), variable `<env_prefix>INSTANCE_ID`.
CLI::Option* add_instance_id(CLI::App& app, std::string& id, std::string const& env_prefix);

/// --log-level debug|info|warn|error, variable `<env_prefix>LOG_LEVEL`.
CLI::Option* add_log_level(CLI::App& app, log::level& level, std::string const& env_prefix);

/// hostname:pid, the default instance id.
std::string default_instance_id();

/// A CLI::App with the project's conventions: -h/--help, each value flag takes one value per
/// occurrence (a repeated flag: the last wins; a vector gathers them), and --help shows every
/// option's default and variable. Declare options on app(), as CLI11 does, ->envname() included.
class command_line {
public:
    command_line(std::string program, std::string description, std::string footer = {});

    CLI::App& app() noexcept { return app_; }

    /// Flags, then the variables of the options no flag gave (read through `getenv`, default
    /// std::getenv). Never throws.
    result parse(int argc, char const* const* argv, getenv_fn getenv = nullptr);

    std::string help() const { return app_.help(); }

    /// "program: what" on one line, exit 2: for checks that span options, made after parse().
    result error(std::string const& what) const;

private:
    std::string program_;
    CLI::App app_;
};

} // namespace ssegw::flags

#include "bench/options.hpp"

#include "common/flags/flags.hpp"
#include "common/net.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace ssegw::bench {
namespace {

constexpr char const* about = "sse-bench: opens many SSE streams, publishes at fixed rates, reports JSON.";

// Every flag of sse-bench, writing into `o`.
void declare(CLI::App& app, options& o) {
    auto whole = [](std::uint64_t min, std::uint64_t max) { return flags::whole_number(min, max); };
    flags::add_setting(app, "--target",
                       [&o](std::string const& v) {
                           for (auto k : {target_kind::gateway, target_kind::nchan, target_kind::baseline})
                               if (v == to_string(k)) return o.target = k, std::string();
                           return std::string("gateway, nchan or baseline");
                       },
                       "what serves the streams: gateway, nchan or baseline")
        ->type_name("KIND")->default_str("gateway");
    app.add_option("--host", o.host, "where it listens")->type_name("H")->capture_default_str();
    app.add_option("--port", o.port, "where it listens")->type_name("P")->transform(whole(1, 65535))->capture_default_str();
    flags::add_setting(app, "--bind",
                       [&o](std::string const& v) {
                           std::istringstream in(v);
                           o.bind.clear();
                           for (std::string a; std::getline(in, a, ',');) {
                               boost::system::error_code ec;
                               net::ip::make_address_v4(a, ec);
                               if (ec) return "not an IPv4 address: " + a;
                               o.bind.push_back(a);
                           }
                           return o.bind.empty() ? std::string("one or more IPv4 addresses") : std::string();
                       },
                       "source addresses of the streams, comma-separated (round-robin per stream; "
                       "e.g. 127.0.0.2,127.0.0.3 for more streams than one address's ephemeral ports)")
        ->type_name("ADDR[,ADDR...]");
    app.add_option("--redis", o.redis_url, "gateway: Redis to seed keys in and publish through")
        ->type_name("URL")->capture_default_str();
    app.add_option("--prefix", o.prefix, "names of seeded users/devices")->type_name("NAME")->capture_default_str();
    app.add_option("--streams", o.streams, "stream count")->type_name("N")->transform(whole(1, 1000000))->capture_default_str();
    app.add_option("--devices", o.devices, "devices the streams spread over")
        ->type_name("M")->transform(whole(1, 1000000))->capture_default_str();
    app.add_option("--users", o.users, "users the devices spread over")
        ->type_name("U")->transform(whole(1, 1000000))->capture_default_str();
    app.add_option("--all-ratio", o.all_ratio, "fraction of all-device streams")
        ->type_name("F")->check(flags::number(0, 1))->capture_default_str();
    app.add_option("--ramp", o.ramp, "stream opens per second")->type_name("R")->check(flags::number(1, 1e6))->capture_default_str();
    app.add_option("--threads", o.threads, "client threads")->type_name("T")->transform(whole(1, 64))->capture_default_str();
    flags::add_setting(app, "--rate",
                       [&o](std::string const& v) {
                           std::vector<double> rates;
                           std::istringstream in(v);
                           for (std::string r; std::getline(in, r, ',');) {
                               if (auto why = flags::number(0, 1e6)(r); !why.empty()) return why;
                               rates.push_back(std::strtod(r.c_str(), nullptr));
                           }
                           if (rates.empty() || rates.size() > 60) return std::string("1 to 60 comma-separated rates");
                           o.rates = std::move(rates);
                           return std::string();
                       },
                       "results per second, one step per value")
        ->type_name("R[,R2,...]")->default_str("100");
    app.add_option("--duration", o.duration_s, "publishing seconds per step")
        ->type_name("S")->check(flags::number(0.1, 3600))->capture_default_str();
    app.add_option("--drain", o.drain_s, "max seconds to wait for late deliveries")
        ->type_name("S")->check(flags::number(0, 600))->capture_default_str();
    app.add_option("--settle", o.settle_s, "seconds between all-open and the memory reading")
        ->type_name("S")->check(flags::number(0, 600))->capture_default_str();
    app.add_option("--payload", o.payload, "size of each result's JSON")
        ->type_name("BYTES")->transform(whole(64, 1 << 20))->capture_default_str();
    app.add_flag("--stop-when-behind", o.stop_when_behind, "stop at the first step not sustained");
    app.add_option("--max-p99", o.max_p99_s, "sustained means p99 latency at most this")
        ->type_name("S")->check(flags::number(0, 3600))->capture_default_str();
    app.add_option("--max-missing", o.max_missing, "... and at most this fraction missing")
        ->type_name("F")->check(flags::number(0, 1))->capture_default_str();
    app.add_option("--storm", o.storm, "drop K streams in step 1; they resume with Last-Event-ID")
        ->type_name("K")->transform(whole(0, 1000000))->capture_default_str();
    app.add_option("--storm-after", o.storm_after_s, "seconds into step 1 the storm starts")
        ->type_name("S")->check(flags::number(0, 3600))->capture_default_str();
    app.add_option("--pid", o.pids, "a process under test (repeat): CPU seconds and RSS")
        ->type_name("PID")->transform(whole(1, 1 << 30));
    app.add_option("--out", o.out, "also write the report here")->type_name("FILE");
    app.add_option("--cdf-out", o.cdf_out, "the last step's latency CDF (ms fraction), for plots")->type_name("FILE");
    app.add_option("--label", o.label, "scenario name for the report")->type_name("NAME");
    app.add_option("--on-ready", o.on_ready, "shell command run before the first step")->type_name("CMD");
    app.add_option("--on-done", o.on_done,
                   "shell command run after the last step (how bench/run brackets a callgrind measurement)")
        ->type_name("CMD");
}

} // namespace

std::string to_string(target_kind k) {
    switch (k) {
    case target_kind::gateway: return "gateway";
    case target_kind::nchan: return "nchan";
    case target_kind::baseline: return "baseline";
    }
    return "?";
}

options parse_options(int argc, char** argv) {
    options o;
    flags::command_line cl("sse-bench", about);
    declare(cl.app(), o);
    auto r = cl.parse(argc, argv);
    if (r.ok && o.storm > o.streams) r = cl.error("--storm is more than --streams");
    if (r.ok && o.users > o.devices) r = cl.error("--users is more than --devices: every user needs a device");
    if (!r.ok) {
        (r.exit_code == 0 ? std::cout : std::cerr) << r.message << (r.exit_code == 0 ? "" : "\n");
        std::exit(r.exit_code);
    }
    return o;
}

} // namespace ssegw::bench

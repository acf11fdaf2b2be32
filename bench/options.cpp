#include "bench/options.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace ssegw::bench {
namespace {

constexpr char const* usage = R"(sse-bench: opens many SSE streams, publishes at fixed rates, reports JSON.

  --target gateway|nchan|baseline   what serves the streams (default gateway)
  --host H --port P                 where it listens (default 127.0.0.1:8080)
  --redis URL                       gateway: Redis to seed keys in and publish through
  --prefix NAME                     names of seeded users/devices (default bench)
  --streams N --devices M --users U stream count, devices and users they spread over
  --all-ratio F                     fraction of all-device streams (default 0.1)
  --ramp R                          stream opens per second (default 5000)
  --threads T                       client threads (default 1)
  --rate R[,R2,...]                 results per second, one step per value (default 100)
  --duration S                      publishing seconds per step (default 10)
  --drain S                         max seconds to wait for late deliveries (default 5)
  --settle S                        seconds between all-open and the memory reading (default 2)
  --payload BYTES                   size of each result's JSON (default 256)
  --stop-when-behind                stop at the first step not sustained
  --max-p99 S --max-missing F       what sustained means (default 1 s, 0.01)
  --storm K --storm-after S         drop K streams S seconds into step 1; they resume with Last-Event-ID
  --pid PID                         a process under test (repeat): CPU seconds and RSS
  --out FILE                        also write the report here
  --cdf-out FILE                    the last step's latency CDF (ms fraction), for plots
  --label NAME                      scenario name for the report
  --on-ready CMD --on-done CMD      shell commands run before the first step and after the last
                                    (how bench/run brackets a callgrind measurement)
)";

[[noreturn]] void bad(std::string const& what) {
    std::cerr << "sse-bench: " << what << "\n(see --help)\n";
    std::exit(2);
}

double number(std::string const& flag, std::string const& v, double min, double max) {
    try {
        std::size_t used = 0;
        double d = std::stod(v, &used);
        if (used != v.size() || !(d >= min && d <= max)) throw std::invalid_argument(v);
        return d;
    } catch (std::exception const&) {
        bad(flag + ": expected a number in [" + std::to_string(min) + ", " + std::to_string(max) + "], got '" + v + "'");
    }
}

int integer(std::string const& flag, std::string const& v, int min, int max) {
    double d = number(flag, v, min, max);
    if (d != static_cast<int>(d)) bad(flag + ": expected a whole number, got '" + v + "'");
    return static_cast<int>(d);
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
    for (int i = 1; i < argc; ++i) {
        std::string const flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::cout << usage;
            std::exit(0);
        }
        if (flag == "--stop-when-behind") {
            o.stop_when_behind = true;
            continue;
        }
        if (i + 1 >= argc) bad(flag + " needs a value");
        std::string const v = argv[++i];
        if (flag == "--target") {
            if (v == "gateway") o.target = target_kind::gateway;
            else if (v == "nchan") o.target = target_kind::nchan;
            else if (v == "baseline") o.target = target_kind::baseline;
            else bad("--target: gateway, nchan or baseline, not '" + v + "'");
        } else if (flag == "--host") o.host = v;
        else if (flag == "--port") o.port = static_cast<std::uint16_t>(integer(flag, v, 1, 65535));
        else if (flag == "--redis") o.redis_url = v;
        else if (flag == "--prefix") o.prefix = v;
        else if (flag == "--streams") o.streams = integer(flag, v, 1, 1000000);
        else if (flag == "--devices") o.devices = integer(flag, v, 1, 1000000);
        else if (flag == "--users") o.users = integer(flag, v, 1, 1000000);
        else if (flag == "--all-ratio") o.all_ratio = number(flag, v, 0, 1);
        else if (flag == "--ramp") o.ramp = number(flag, v, 1, 1e6);
        else if (flag == "--threads") o.threads = integer(flag, v, 1, 64);
        else if (flag == "--rate") {
            o.rates.clear();
            std::istringstream in(v);
            for (std::string r; std::getline(in, r, ',');) o.rates.push_back(number(flag, r, 0, 1e6));
            if (o.rates.empty() || o.rates.size() > 60) bad("--rate: 1 to 60 comma-separated rates");
        } else if (flag == "--duration") o.duration_s = number(flag, v, 0.1, 3600);
        else if (flag == "--drain") o.drain_s = number(flag, v, 0, 600);
        else if (flag == "--settle") o.settle_s = number(flag, v, 0, 600);
        else if (flag == "--payload") o.payload = integer(flag, v, 64, 1 << 20);
        else if (flag == "--max-p99") o.max_p99_s = number(flag, v, 0, 3600);
        else if (flag == "--max-missing") o.max_missing = number(flag, v, 0, 1);
        else if (flag == "--storm") o.storm = integer(flag, v, 0, 1000000);
        else if (flag == "--storm-after") o.storm_after_s = number(flag, v, 0, 3600);
        else if (flag == "--pid") o.pids.push_back(integer(flag, v, 1, 1 << 30));
        else if (flag == "--out") o.out = v;
        else if (flag == "--cdf-out") o.cdf_out = v;
        else if (flag == "--label") o.label = v;
        else if (flag == "--on-ready") o.on_ready = v;
        else if (flag == "--on-done") o.on_done = v;
        else bad("unknown flag " + flag);
    }
    if (o.storm > o.streams) bad("--storm is more than --streams");
    if (o.users > o.devices) bad("--users is more than --devices: every user needs a device");
    return o;
}

} // namespace ssegw::bench

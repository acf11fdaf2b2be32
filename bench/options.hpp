// sse-bench's command line: what to load, how hard, and what to watch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ssegw::bench {

/// What serves the streams. gateway: sse-gateway, published through Redis with the project's Lua
/// script. nchan and baseline: GET /sub/<channel> streams, POST /pub/<device>/<user> publishes.
enum class target_kind { gateway, nchan, baseline };

struct options {
    target_kind target = target_kind::gateway;
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    // Source addresses the streams are opened from, dealt round-robin (stream j from bind[j % n]);
    // empty: the kernel's choice. Spreads a large client over several loopback addresses
    // (127.0.0.2 ...), each with its own ephemeral ports.
    std::vector<std::string> bind;
    std::string redis_url = "redis://127.0.0.1:6379";  // gateway: keys are seeded, results published here
    std::string prefix = "bench";                       // names of the seeded users, devices and keys

    int streams = 1000;
    int devices = 100;
    int users = 10;
    double all_ratio = 0.1;   // fraction of streams that follow all of a user's devices
    double ramp = 5000;       // stream opens started per second
    int threads = 1;          // client threads, each with its share of the streams

    std::vector<double> rates{100};  // results published per second, one step each
    double duration_s = 10;          // publishing time per step
    double drain_s = 5;              // after a step: wait at most this long for late deliveries
    double settle_s = 2;             // after the streams are open, before measuring memory
    int payload = 256;               // bytes of each result's JSON
    bool stop_when_behind = false;   // stop stepping at the first step that is not sustained
    double max_p99_s = 1.0;          // a step is sustained if p99 <= this ...
    double max_missing = 0.01;       // ... and at most this fraction is missing

    int storm = 0;             // streams to drop and reconnect with Last-Event-ID in the first step
    double storm_after_s = 3;  // seconds into the first step

    std::vector<int> pids;     // processes under test: CPU and RSS
    std::string out;           // also write the JSON report here
    std::string cdf_out;       // write the last step's latency CDF here (ms, fraction), for plots
    std::string label;         // scenario name, copied into the report
    std::string on_ready;      // shell command run once the streams are open, before publishing
    std::string on_done;       // shell command run after the last step (e.g. a profiler's dump)
};

/// Parses argv; on error or --help prints to stderr/stdout and exits (2 or 0).
options parse_options(int argc, char** argv);

std::string to_string(target_kind);

} // namespace ssegw::bench

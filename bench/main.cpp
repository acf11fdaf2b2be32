// sse-bench: opens N SSE streams against sse-gateway, nchan or the epoll baseline, publishes at
// fixed rates, and reports JSON: streams, deliveries expected/received/missing/duplicated,
// events/s, publish-to-receive latency, and the target's CPU seconds and RSS from /proc.
#include "bench/client_shard.hpp"
#include "bench/load_plan.hpp"
#include "bench/options.hpp"
#include "bench/proc_stats.hpp"
#include "bench/publisher.hpp"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

using namespace ssegw::bench;
using nlohmann::json;
using clock_type = std::chrono::steady_clock;

namespace {

double since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

std::int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count();
}

double round3(double v) { return std::round(v * 1000) / 1000; }
double ms(std::int64_t ns) { return round3(static_cast<double>(ns) / 1e6); }

// Every stream is a socket: the default 1024 descriptors are not enough.
void raise_fd_limit(int streams) {
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < static_cast<rlim_t>(streams) + 64)
        std::cerr << "sse-bench: the descriptor limit " << rl.rlim_cur << " is below " << streams
                  << " streams; raise ulimit -n\n";
}

struct totals {
    std::vector<int> open;
    int connecting = 0, failed = 0, closed = 0;
    std::uint64_t foreign = 0;
    std::vector<std::string> errors;
    std::vector<step_counts> steps;
    storm_counts storm;
};

totals gather(std::vector<std::unique_ptr<client_shard>>& shards, std::size_t steps) {
    totals t;
    t.steps.resize(steps);
    for (auto& s : shards) {
        auto snap = s->snapshot();
        t.open.insert(t.open.end(), snap.open.begin(), snap.open.end());
        t.connecting += snap.connecting;
        t.failed += snap.failed;
        t.closed += snap.closed;
        t.foreign += snap.foreign;
        for (auto& e : snap.errors)
            if (t.errors.size() < 5) t.errors.push_back(e);
        for (std::size_t k = 0; k < steps; ++k) {
            t.steps[k].received += snap.steps[k].received;
            t.steps[k].duplicated += snap.steps[k].duplicated;
            t.steps[k].last_at_ns = std::max(t.steps[k].last_at_ns, snap.steps[k].last_at_ns);
            t.steps[k].latency.merge(snap.steps[k].latency);
        }
        t.storm.dropped += snap.storm.dropped;
        t.storm.reopened += snap.storm.reopened;
        t.storm.caught_up += snap.storm.caught_up;
        t.storm.failed += snap.storm.failed;
        t.storm.last_head_ns = std::max(t.storm.last_head_ns, snap.storm.last_head_ns);
        t.storm.last_caught_ns = std::max(t.storm.last_caught_ns, snap.storm.last_caught_ns);
    }
    std::sort(t.open.begin(), t.open.end());
    return t;
}

json latency_json(latency_histogram const& h) {
    return {{"count", h.count()},       {"p50", ms(h.quantile(0.50))},   {"p90", ms(h.quantile(0.90))},
            {"p99", ms(h.quantile(0.99))}, {"p999", ms(h.quantile(0.999))}, {"max", ms(h.max())},
            {"mean", round3(h.mean() / 1e6)}};
}

void run_hook(char const* flag, std::string const& command) {
    if (command.empty()) return;
    if (int rc = std::system(command.c_str()); rc != 0)
        std::cerr << "sse-bench: " << flag << " command exited with " << rc << ": " << command << '\n';
}

} // namespace

int main(int argc, char** argv) try {
    auto const o = parse_options(argc, argv);
    raise_fd_limit(o.streams);
    load_plan const plan(o);
    if (o.target == target_kind::gateway) seed_gateway(o, plan);
    publisher pub(o, plan);
    step_bounds bounds;

    auto const before = sample_processes(o.pids);

    // Streams are dealt round-robin to the shards so each holds a like mix.
    std::vector<std::vector<int>> share(static_cast<std::size_t>(o.threads));
    for (int j = 0; j < o.streams; ++j) share[static_cast<std::size_t>(j % o.threads)].push_back(j);
    std::vector<std::unique_ptr<client_shard>> shards;
    for (auto& s : share) shards.push_back(std::make_unique<client_shard>(o, plan, bounds, std::move(s)));
    auto const t_open = clock_type::now();
    for (auto& s : shards) s->start(o.ramp / o.threads);

    // Opening: until every stream has its head or has failed, or nothing moved for 30 s.
    totals t;
    std::size_t last_done = 0;
    auto last_progress = clock_type::now();
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        t = gather(shards, o.rates.size());
        auto const done = t.open.size() + static_cast<std::size_t>(t.failed + t.closed);
        if (t.connecting == 0) break;
        if (done != last_done) {
            last_done = done;
            last_progress = clock_type::now();
        } else if (since(last_progress) > 30) {
            break;
        }
    }
    double const connect_s = since(t_open);
    json report;
    report["target"] = to_string(o.target);
    report["label"] = o.label;
    report["streams"] = {{"wanted", o.streams},
                         {"open", t.open.size()},
                         {"failed", t.failed + t.closed + t.connecting},
                         {"connect_s", round3(connect_s)},
                         {"connect_rate", round3(static_cast<double>(t.open.size()) / connect_s)}};
    report["config"] = {{"devices", o.devices}, {"users", o.users},       {"all_ratio", o.all_ratio},
                        {"payload", o.payload}, {"duration_s", o.duration_s}, {"threads", o.threads},
                        {"bind", o.bind}};

    std::this_thread::sleep_for(std::chrono::duration<double>(o.settle_s));
    auto const idle = sample_processes(o.pids);
    if (!o.pids.empty()) {
        report["memory"] = {{"rss_before_kib", before.rss_kib},
                            {"rss_open_kib", idle.rss_kib},
                            {"per_stream_bytes", t.open.empty() ? 0.0
                                                 : round3(static_cast<double>(idle.rss_kib - before.rss_kib) * 1024.0 /
                                                          static_cast<double>(t.open.size()))}};
    }

    // What each device's result owes: its device streams and its user's all-streams, if open.
    std::vector<std::uint64_t> owed(static_cast<std::size_t>(o.devices), 0);
    {
        std::vector<std::uint64_t> per_device(static_cast<std::size_t>(o.devices), 0);
        std::vector<std::uint64_t> per_user(static_cast<std::size_t>(o.users), 0);
        for (int j : t.open) {
            auto s = plan.stream(j);
            if (s.device < 0) ++per_user[static_cast<std::size_t>(s.user)];
            else ++per_device[static_cast<std::size_t>(s.device)];
        }
        for (int d = 0; d < o.devices; ++d)
            owed[static_cast<std::size_t>(d)] =
                per_device[static_cast<std::size_t>(d)] + per_user[static_cast<std::size_t>(plan.user_of(d))];
    }

    run_hook("--on-ready", o.on_ready);
    json steps = json::array();
    latency_histogram last_latency;
    std::int64_t storm_t0 = 0;
    for (std::size_t k = 0; k < o.rates.size(); ++k) {
        double const rate = o.rates[k];
        bounds.begin(static_cast<int>(k), pub.next_seq());
        auto const cpu0 = sample_processes(o.pids);
        auto const self0 = self_cpu_seconds();
        auto const t0 = clock_type::now();
        auto const t0_ns = steady_ns();
        publish_counts pc;
        std::thread publishing([&] { pc = pub.run(rate, o.duration_s, owed); });
        if (k == 0 && o.storm > 0) {
            std::this_thread::sleep_for(std::chrono::duration<double>(o.storm_after_s));
            // The first `storm` open streams, each shard told which of its own to drop.
            std::vector<int> victims(t.open.begin(), t.open.begin() + std::min<std::size_t>(o.storm, t.open.size()));
            storm_t0 = steady_ns();
            auto const first_new = pub.next_seq();
            for (auto& s : shards) s->storm(victims, first_new);
        }
        publishing.join();
        // Drain: late deliveries count until the step's books balance or drain_s passes.
        auto const t_pub_end = clock_type::now();
        totals now;
        for (;;) {
            now = gather(shards, o.rates.size());
            auto const& s = now.steps[k];
            if (s.received >= pc.expected || since(t_pub_end) >= o.drain_s) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        auto const cpu1 = sample_processes(o.pids);
        auto const self1 = self_cpu_seconds();
        double const wall = since(t0);
        auto const& s = now.steps[k];
        double const active = s.last_at_ns > t0_ns ? static_cast<double>(s.last_at_ns - t0_ns) / 1e9 : wall;
        double const server_cpu = cpu1.cpu_s - cpu0.cpu_s;
        auto const missing = pc.expected > s.received ? pc.expected - s.received : 0;
        bool const sustained = pc.errors == 0 && static_cast<double>(missing) <= o.max_missing * static_cast<double>(pc.expected) &&
                               static_cast<double>(s.latency.quantile(0.99)) <= o.max_p99_s * 1e9;
        json step = {{"rate", rate},
                     {"published", pc.published},
                     {"publish_errors", pc.errors},
                     {"publish_s", round3(pc.seconds)},
                     {"expected", pc.expected},
                     {"received", s.received},
                     {"missing", missing},
                     {"duplicated", s.duplicated},
                     {"deliveries_per_s", round3(static_cast<double>(s.received) / std::max(active, 1e-9))},
                     {"latency_ms", latency_json(s.latency)},
                     {"client_cpu_s", round3(self1 - self0)},
                     {"client_cpu_util", round3((self1 - self0) / wall)},
                     {"sustained", sustained}};
        if (!pc.last_error.empty()) step["publish_error"] = pc.last_error;
        if (!o.pids.empty()) {
            step["server_cpu_s"] = round3(server_cpu);
            step["server_cpu_util"] = round3(server_cpu / wall);
            step["deliveries_per_cpu_s"] = server_cpu > 0 ? round3(static_cast<double>(s.received) / server_cpu) : 0.0;
            step["server_rss_kib"] = cpu1.rss_kib;
        }
        steps.push_back(step);
        last_latency = s.latency;
        std::cerr << "sse-bench: step " << k + 1 << "/" << o.rates.size() << " " << rate << "/s: " << step.dump() << "\n";
        if (o.storm > 0 && k == 0) {
            auto const& st = now.storm;
            report["storm"] = {{"dropped", st.dropped},
                               {"reopened", st.reopened},
                               {"caught_up", st.caught_up},
                               {"failed", st.failed},
                               {"all_reopened_s", st.reopened == st.dropped && st.dropped > 0 ? round3(static_cast<double>(st.last_head_ns - storm_t0) / 1e9) : -1.0},
                               {"all_caught_up_s", st.caught_up == st.dropped && st.dropped > 0 ? round3(static_cast<double>(st.last_caught_ns - storm_t0) / 1e9) : -1.0},
                               {"missed", missing}};
        }
        if (o.stop_when_behind && !sustained) break;
    }
    report["steps"] = steps;
    run_hook("--on-done", o.on_done);

    auto const end = gather(shards, o.rates.size());
    report["streams"]["open_at_end"] = end.open.size();
    report["streams"]["foreign_events"] = end.foreign;
    report["errors"] = end.errors;
    if (!o.pids.empty()) report["rss_end_kib"] = sample_processes(o.pids).rss_kib;
    for (auto& s : shards) s->stop();

    if (!o.cdf_out.empty()) {
        std::ofstream cdf(o.cdf_out);
        for (auto const& [ns, f] : last_latency.cdf()) cdf << static_cast<double>(ns) / 1e6 << ' ' << f << '\n';
    }
    auto const text = report.dump(2);
    std::cout << text << std::endl;
    if (!o.out.empty()) std::ofstream(o.out) << text << '\n';
    return 0;
} catch (std::exception const& e) {
    std::cerr << "sse-bench: " << e.what() << '\n';
    return 1;
}

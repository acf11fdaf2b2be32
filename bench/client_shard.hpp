// One client thread's share of the streams: opens them at the ramp rate, reads and parses every
// byte, and counts per step what arrived, how late, and what came twice. Everything a shard owns
// is touched only on its own thread; the main thread asks through post() and waits.
#pragma once

#include "bench/latency_histogram.hpp"
#include "bench/load_plan.hpp"
#include "bench/stream_parser.hpp"
#include "common/net.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace ssegw::bench {

/// Where each step's sequence numbers start: set by the main thread before a step publishes,
/// read by the shards to file each event under its step.
class step_bounds {
public:
    static constexpr int max_steps = 64;
    void begin(int step, std::int64_t first_seq);
    /// The step an event's sequence number belongs to, or -1.
    int step_of(std::int64_t seq) const;

private:
    std::array<std::atomic<std::int64_t>, max_steps> start_{};
    std::atomic<int> count_{0};
};

struct step_counts {
    std::uint64_t received = 0;    // distinct events (in order, none seen before on the stream)
    std::uint64_t duplicated = 0;  // an event not newer than one the stream already had
    std::int64_t last_at_ns = 0;   // steady clock: the step's last arrival
    latency_histogram latency;
};

struct storm_counts {
    int dropped = 0;              // streams closed by the bench
    int reopened = 0;             // got a 200 head again
    int caught_up = 0;            // then an event published after the drop
    int failed = 0;
    std::int64_t last_head_ns = 0;    // steady clock
    std::int64_t last_caught_ns = 0;  // steady clock
};

struct shard_snapshot {
    std::vector<int> open;         // stream numbers with a live response
    int connecting = 0;
    int failed = 0;                // refused or broken before the head
    int closed = 0;                // ended after the head (by the server or a protocol error)
    std::uint64_t foreign = 0;     // events without the bench's fields
    std::vector<std::string> errors;  // the first few reasons
    std::vector<step_counts> steps;
    storm_counts storm;
};

class client_shard {
public:
    client_shard(options const& o, load_plan const& plan, step_bounds const& bounds, std::vector<int> streams);
    ~client_shard();

    /// Starts the thread; streams open at `ramp_per_s`.
    void start(double ramp_per_s);
    /// Drops these streams (numbers this shard owns) at once and reopens them with Last-Event-ID.
    void storm(std::vector<int> const& streams, std::int64_t first_new_seq);
    /// A consistent copy of the counts, taken on the shard's thread.
    shard_snapshot snapshot();
    void stop();

private:
    struct conn;
    void ramp_tick();
    void open(conn& c, std::string const& last_event_id);
    void read(conn& c);
    void on_read(conn& c, int gen, boost::system::error_code ec, std::size_t n);
    void fail(conn& c, std::string why);
    void note_error(std::string why);

    options const& o_;
    load_plan const& plan_;
    step_bounds const& bounds_;
    net::io_context ioc_{1};
    net::steady_timer ramp_timer_{ioc_};
    net::ip::tcp::endpoint target_;
    std::vector<net::ip::address> sources_;  // --bind: stream j opens from sources_[j % size]
    std::vector<std::unique_ptr<conn>> conns_;
    std::size_t next_to_open_ = 0;
    double ramp_per_tick_ = 0;
    double ramp_credit_ = 0;
    int in_flight_ = 0;
    std::uint64_t foreign_ = 0;
    std::vector<std::string> errors_;
    std::vector<step_counts> steps_;
    storm_counts storm_;
    std::thread thread_;
};

} // namespace ssegw::bench

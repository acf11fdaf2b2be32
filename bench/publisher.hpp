// Publishes results at a fixed rate, each stamped with its sequence number and publish time:
// into Redis through the project's Lua script (gateway), or by HTTP POST to /pub/<device>/<user>
// (nchan, baseline). Batches whatever is due each millisecond into one pipeline.
#pragma once

#include "bench/load_plan.hpp"
#include "common/net.hpp"
#include "common/redis/sync_client.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ssegw::bench {

struct publish_counts {
    std::int64_t published = 0;   // acknowledged by the target
    std::int64_t errors = 0;      // refused, or the reply was lost
    std::uint64_t expected = 0;   // deliveries these results owe to the open streams
    double seconds = 0;           // wall time of the step's publishing
    std::string last_error;
};

class publisher {
public:
    publisher(options const& o, load_plan const& plan);
    ~publisher();

    /// Publishes `rate` results/s for `seconds`; result i of the run goes to device i % devices.
    /// `owed[d]`: how many open streams receive a result of device d.
    publish_counts run(double rate, double seconds, std::vector<std::uint64_t> const& owed);
    /// The sequence number the next result will carry (read from any thread).
    std::int64_t next_seq() const noexcept { return next_seq_.load(); }

private:
    std::string result_json(std::int64_t seq, int device) const;
    void send(std::vector<std::pair<std::int64_t, int>> const& batch, publish_counts& counts);
    void send_redis(std::vector<std::string> const& bodies, std::vector<int> const& devices, publish_counts& counts);
    void send_http(std::vector<std::string> const& bodies, std::vector<int> const& devices, publish_counts& counts);

    options const& o_;
    load_plan const& plan_;
    std::atomic<std::int64_t> next_seq_{0};
    std::string pad_;
    // gateway
    std::unique_ptr<redis::sync_client> redis_;
    std::string sha_;
    // nchan, baseline
    net::io_context ioc_;
    std::unique_ptr<net::ip::tcp::socket> http_;
    boost::beast::flat_buffer http_buf_;
};

/// The gateway's side of the plan in Redis: a key per user, each user's devices.
void seed_gateway(options const& o, load_plan const& plan);

} // namespace ssegw::bench

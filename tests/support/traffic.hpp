// Concurrent traffic for the delivery-guarantee tests: a publisher thread that runs flat out (bounded in
// count and time) through redis::publish_result on its own connection and rides out Redis faults, a reader
// thread per stream that collects every event until a target id, and the replay log as the truth.
#pragma once

#include "common/redis/publish_script.hpp"
#include "common/redis/sync_client.hpp"
#include "tests/support/sse_client.hpp"
#include "tests/support/wait.hpp"

#include <gtest/gtest.h>

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ssegw::it {

struct publish_options {
    std::string user;
    std::vector<std::string> devices;  // published round-robin
    int max_count = 3000;              // results attempted, at most
    clock::duration max_time = 4s;     // and for no longer than this
    unsigned maxlen = 100000;          // log trim (high: the whole run stays in the logs)
    /// The result JSON for the n-th result (0-based) of `device`.
    std::function<std::string(std::string const& device, int n)> make;
    /// Optional gate: the publisher waits (polling, within max_time) until gate(n) before the n-th result.
    std::function<bool(int n)> gate;
};

/// Publishes on its own thread from construction until the bounds are reached or stop(). A dropped or
/// refused connection (CLIENT KILL, Redis restarting) is reopened and publishing goes on; a publish whose
/// reply was lost may or may not be in the logs, so the logs (XRANGE), not the acknowledgements, are the
/// truth of what was published.
class flat_out_publisher {
public:
    flat_out_publisher(redis::endpoint ep, publish_options opts);
    ~flat_out_publisher();
    flat_out_publisher(flat_out_publisher const&) = delete;
    flat_out_publisher& operator=(flat_out_publisher const&) = delete;

    /// Results acknowledged so far.
    int acknowledged() const noexcept { return acked_count_.load(); }
    /// Publishes that failed (connection lost or Redis down).
    int failures() const noexcept { return failures_.load(); }
    bool finished() const noexcept { return finished_.load(); }
    /// Polls until acknowledged() >= n or it finished; true if the count was reached.
    bool wait_acknowledged(int n, deadline d) const;
    void stop() noexcept { stop_.store(true); }
    /// Waits for the thread (it ends by its own time bound).
    void join();

    /// After join(): the acknowledged results in order, with their device.
    struct acked {
        std::string device;
        redis::published_ids ids;
    };
    std::vector<acked> const& acknowledged_results() const { return acked_; }
    double seconds() const noexcept { return seconds_; }
    std::string const& last_error() const noexcept { return last_error_; }

private:
    void run();

    redis::endpoint ep_;
    publish_options opts_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> finished_{false};
    std::atomic<int> acked_count_{0};
    std::atomic<int> failures_{0};
    std::vector<acked> acked_;
    double seconds_ = 0;
    std::string last_error_;
    std::thread thread_;
};

/// One event as a reader kept it.
struct received_event {
    std::string id;
    std::string event;
    std::string data;
    std::string note{};  // where it came from (for messages only; not compared)
};

/// Reads one open stream on its own thread, keeping every event, until an event with the target id
/// arrived (set_target, any time), the stream ended, or the deadline passed.
class stream_reader {
public:
    stream_reader(std::unique_ptr<sse_client> c, deadline d, std::string name);
    ~stream_reader();
    stream_reader(stream_reader const&) = delete;
    stream_reader& operator=(stream_reader const&) = delete;

    void set_target(std::string id);
    /// Events read so far (thread-safe).
    std::size_t count() const;
    /// Waits for the thread; then events() and client() are safe to use.
    void join();
    bool reached_target() const noexcept { return reached_.load(); }
    std::vector<received_event> const& events() const { return events_; }
    sse_client& client() { return *client_; }
    std::string const& name() const noexcept { return name_; }
    std::string const& error() const noexcept { return error_; }

private:
    void run();

    std::unique_ptr<sse_client> client_;
    deadline deadline_;
    std::string name_;
    mutable std::mutex mu_;
    std::optional<std::string> target_;
    std::vector<received_event> events_;
    std::atomic<std::size_t> count_{0};
    std::atomic<bool> reached_{false};
    std::string error_;
    std::thread thread_;
};

/// Entries of a replay log after `after_id` (exclusive; "-" for all), in order, as (id, event, data).
std::vector<received_event> log_entries(redis::sync_client& r, std::string const& key, std::string const& after_id);

/// Compares what a stream received with what it had to receive, id by id (and event and data);
/// on mismatch names the first difference, the counts, duplicates and missing ids.
::testing::AssertionResult same_sequence(std::vector<received_event> const& got,
                                         std::vector<received_event> const& want);

/// The resident set size of a process (VmRSS of /proc/<pid>/status) in KiB; -1 if unreadable.
long rss_kib(pid_t pid);

} // namespace ssegw::it

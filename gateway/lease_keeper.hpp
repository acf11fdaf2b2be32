// The per-user stream cap across instances: each open stream holds a lease in the sorted set
// sse:conns:<userId> (member = instance:stream, score = expiry in Redis server time). Leases are
// taken atomically under the cap by a script, refreshed every ttl/3, removed when the stream
// ends; a crashed instance's leases expire by themselves after the ttl. Control thread only.
#pragma once

#include "common/redis/client.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>

namespace ssegw::gateway {

class lease_keeper {
public:
    enum class outcome { granted, full, unavailable };
    using acquire_handler = std::function<void(outcome, std::string const& member)>;

    lease_keeper(redis::client& redis, net::any_io_executor ex, std::string instance_id,
                 std::chrono::milliseconds ttl);

    void start();
    void stop();
    void acquire(std::string const& user_id, unsigned max, acquire_handler done);
    void release(std::string const& user_id, std::string const& member);
    /// Removes every lease this instance holds; `done` runs once Redis answered (or failed).
    void release_all(std::function<void()> done);
    std::size_t held() const noexcept { return count_; }

private:
    void do_refresh();
    void refresh_now();

    redis::client& redis_;
    net::steady_timer timer_;
    std::string instance_id_;
    std::chrono::milliseconds ttl_;
    std::uint64_t next_ = 0;
    std::size_t count_ = 0;
    std::map<std::string, std::set<std::string>> held_;  // user -> members
};

} // namespace ssegw::gateway

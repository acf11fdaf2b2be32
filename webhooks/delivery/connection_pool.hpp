// Keep-alive for deliveries: idle connections per origin, so a busy webhook does not pay a TCP and
// TLS handshake per attempt. A connection is only ever handed back whole (its response read to
// the end); anything in doubt is closed instead, and a new connection resolves and checks again.
#pragma once

#include "webhooks/delivery/outbound_connection.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ssegw::webhooks {

/// Used from one executor (the sender's); nothing locks. Held by shared_ptr: idle timers and the
/// attempts in flight keep it alive.
class connection_pool : public std::enable_shared_from_this<connection_pool> {
public:
    connection_pool(unsigned max_idle_per_origin, std::chrono::milliseconds idle_timeout);

    /// An idle connection to `origin` that is still open and quiet (the most recently used one),
    /// or null. Stale ones found on the way are closed.
    std::shared_ptr<outbound_connection> take(std::string const& origin);
    /// Keeps `c` idle for reuse, or closes it when its origin already holds the maximum or the
    /// pool is shut.
    void give_back(std::shared_ptr<outbound_connection> c);
    /// Closes every idle connection; later give_backs close theirs.
    void shut();

    std::size_t idle_count() const noexcept;

private:
    void expire(std::weak_ptr<outbound_connection> c);

    unsigned max_idle_;
    std::chrono::milliseconds idle_timeout_;
    bool shut_ = false;
    std::unordered_map<std::string, std::vector<std::shared_ptr<outbound_connection>>> idle_;
};

} // namespace ssegw::webhooks

// One worker's keep-alive connections that wait for their next request, so a drain can close them
// at once instead of waiting for their deadline (a proxy would otherwise reuse them meanwhile).
// Worker-thread only.
#pragma once

#include <unordered_set>
#include <vector>

namespace ssegw::web {

class idle_connection {
public:
    virtual ~idle_connection() = default;
    /// Closes the connection if no byte of a next request has arrived.
    virtual void close_if_idle() = 0;
};

class idle_connections {
public:
    void track(idle_connection* c, bool waiting) {
        if (waiting) set_.insert(c);
        else set_.erase(c);
    }
    void close_all() {
        // Closing may untrack: iterate a copy.
        for (auto* c : std::vector<idle_connection*>(set_.begin(), set_.end())) c->close_if_idle();
    }

private:
    std::unordered_set<idle_connection*> set_;
};

} // namespace ssegw::web

// Graceful shutdown on SIGTERM/SIGINT: stop accepting, refuse new streams and answer /readyz 503,
// end every stream with a jittered `retry:` and close idle keep-alive connections, wait for the
// connections to go (at most a grace period, then they are cut), free this instance's Redis
// leases, and stop the control loop. Control thread only.
#pragma once

#include "common/net.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace ssegw::web {
class listener;
struct site;
} // namespace ssegw::web

namespace ssegw::gateway {

class control_plane;
class worker;

class drainer {
public:
    drainer(net::io_context& control, web::site& site, web::listener& listener, control_plane& plane,
            std::vector<std::unique_ptr<worker>>& workers);

    void start();

private:
    void wait_for_connections();
    void release_and_stop();

    net::io_context& control_;
    web::site& site_;
    web::listener& listener_;
    control_plane& plane_;
    std::vector<std::unique_ptr<worker>>& workers_;
    net::steady_timer timer_;
    std::chrono::steady_clock::time_point started_at_;
    bool started_ = false;
};

} // namespace ssegw::gateway

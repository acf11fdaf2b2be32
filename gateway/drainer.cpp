#include "gateway/drainer.hpp"

#include "common/http/listener.hpp"
#include "common/http/site.hpp"
#include "gateway/control_plane.hpp"
#include "gateway/worker.hpp"

namespace ssegw::gateway {
namespace {

constexpr auto drain_grace = std::chrono::seconds(6);  // then force-close; exit stays under 10 s
constexpr auto lease_release_deadline = std::chrono::seconds(2);

} // namespace

drainer::drainer(net::io_context& control, web::site& site, web::listener& listener, control_plane& plane,
                 std::vector<std::unique_ptr<worker>>& workers)
    : control_(control), site_(site), listener_(listener), plane_(plane), workers_(workers), timer_(control) {}

void drainer::start() {
    if (started_) return;
    started_ = true;
    started_at_ = std::chrono::steady_clock::now();
    site_.draining.store(true, std::memory_order_relaxed);  // keep-alive ends after the current answer
    plane_.refuse_new_streams();
    listener_.close();
    for (auto& w : workers_) net::post(w->ioc(), [w = w.get()] { w->drain(); });
    wait_for_connections();
}

void drainer::wait_for_connections() {
    if (listener_.open_connections() > 0 && std::chrono::steady_clock::now() - started_at_ < drain_grace) {
        timer_.expires_after(std::chrono::milliseconds(20));
        timer_.async_wait([this](error_code ec) {
            if (!ec) wait_for_connections();
        });
        return;
    }
    release_and_stop();
}

void drainer::release_and_stop() {
    // Free this instance's slots now rather than after the lease ttl.
    timer_.expires_after(lease_release_deadline);
    timer_.async_wait([this](error_code ec) {
        if (!ec) control_.stop();
    });
    plane_.release_all_leases([this] {
        timer_.cancel();
        control_.stop();
    });
}

} // namespace ssegw::gateway

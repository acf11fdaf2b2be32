// The housekeeping any instance does every few seconds: takes over event entries that another
// (dead) instance read but never planned (XAUTOCLAIM after --reclaim-after), trims acknowledged
// entries off webhook:events, deletes consumers idle an hour with nothing pending, and reads the
// backlog and due-set gauges.
#pragma once

#include "common/net.hpp"
#include "common/redis/client.hpp"
#include "webhookd/flight_slots.hpp"
#include "webhookd/stream_entries.hpp"
#include "webhookd/worker_metrics.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ssegw::webhookd {

class maintenance {
public:
    using plan_fn = std::function<void(std::vector<stream_entry>)>;

    /// `plan` gets the entries taken over (at most as many as `slots` has free).
    maintenance(redis::client& redis, std::string consumer, std::chrono::milliseconds reclaim_after, flight_slots& slots,
                worker_metrics& metrics, plan_fn plan);

    void start();
    void stop();

private:
    void tick_later(std::chrono::milliseconds after);
    void tick();
    void take_over();

    redis::client& redis_;
    std::string consumer_;
    std::chrono::milliseconds reclaim_after_;
    flight_slots& slots_;
    worker_metrics& metrics_;
    plan_fn plan_;
    net::steady_timer timer_;
    std::string cursor_ = "0-0";  // XAUTOCLAIM's scan position, carried from tick to tick
    bool stopped_ = true;
    bool busy_ = false;
};

} // namespace ssegw::webhookd

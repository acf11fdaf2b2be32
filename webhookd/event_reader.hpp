// Reads webhook:events for this instance through the consumer group, on a connection of its own
// (XREADGROUP BLOCK holds a connection): creates the group at id 0 with MKSTREAM if no instance has
// yet, then reads as many entries as there are free slots, and hands each batch on.
#pragma once

#include "common/net.hpp"
#include "common/redis/client.hpp"
#include "webhookd/flight_slots.hpp"
#include "webhookd/stream_entries.hpp"

#include <functional>
#include <string>
#include <vector>

namespace ssegw::webhookd {

class event_reader {
public:
    using deliver_fn = std::function<void(std::vector<stream_entry>)>;

    /// `conn` is this reader's alone; `slots` says how many to read at most.
    event_reader(redis::client& conn, std::string consumer, flight_slots& slots, deliver_fn deliver);

    void start();
    /// No more reads; a read in flight still hands its entries on.
    void stop();
    /// Slots may have come free: read again if idle.
    void wake();
    bool group_ready() const noexcept { return group_ready_; }
    bool reading() const noexcept { return reading_; }

private:
    void create_group();
    void read();
    void read_later();

    redis::client& conn_;
    std::string consumer_;
    flight_slots& slots_;
    deliver_fn deliver_;
    net::steady_timer retry_;  // after an error reply, so that a broken server is not spun on
    bool stopped_ = true;
    bool group_ready_ = false;
    bool creating_ = false;
    bool reading_ = false;
};

} // namespace ssegw::webhookd

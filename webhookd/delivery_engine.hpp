// The worker's loop: entries (read, or taken over from a dead instance) are planned against their
// user's webhook, planned first attempts are sent at once, and due attempts (retries, and attempts
// whose holder's lease lapsed) are claimed while slots are free, within the per-webhook cap. It
// stops taking work on a drain and says when everything it holds has been recorded.
#pragma once

#include "common/net.hpp"
#include "common/redis/client.hpp"
#include "webhookd/attempt_runner.hpp"
#include "webhookd/config.hpp"
#include "webhookd/event_reader.hpp"
#include "webhookd/flight_slots.hpp"
#include "webhookd/maintenance.hpp"
#include "webhookd/stream_entries.hpp"
#include "webhookd/worker_metrics.hpp"
#include "webhooks/delivery/sender.hpp"

#include <string>
#include <vector>

namespace ssegw::webhookd {

class delivery_engine {
public:
    /// `redis` runs the steps; `reader_conn` is the event reader's own connection.
    delivery_engine(net::io_context& ioc, config const& cfg, redis::client& redis, redis::client& reader_conn,
                    webhooks::sender& sender, worker_metrics& metrics);

    void start();
    /// The drain: no more reads, claims or take-overs; what is held still ends and is recorded.
    void stop_taking();
    /// Nothing held: no attempt in flight, no result waiting for Redis, no read in flight.
    bool idle() const;
    /// At exit after the drain's deadline: results still waiting for Redis are given up.
    void abandon();
    /// Redis connected both ways, the group made, the scripts loaded.
    bool ready(std::string& why) const;
    std::size_t in_flight() const noexcept { return slots_.attempts(); }

private:
    void plan(std::vector<stream_entry> entries);
    void plan_one(stream_entry const& entry);
    void load_scripts();
    void claim_later(std::chrono::milliseconds after);
    void claim();
    /// Sends an attempt whose slot is held for `user`.
    void send(webhooks::send_job job, std::int64_t due_ms);
    void slot_freed();

    config const& cfg_;
    redis::client& redis_;
    worker_metrics& metrics_;
    webhooks::engine_limits limits_;
    flight_slots slots_;
    attempt_runner runner_;
    event_reader reader_;
    maintenance maintenance_;
    net::steady_timer claim_timer_;
    bool stopped_ = true;
    bool claiming_ = false;
    /// Attempts may be due that no slot was free for (a plan left one due, the last claim found
    /// some): a freed slot claims at once instead of at the next periodic claim.
    bool more_due_ = false;
    bool scripts_ready_ = false;
    unsigned scripts_loading_ = 0;
};

} // namespace ssegw::webhookd

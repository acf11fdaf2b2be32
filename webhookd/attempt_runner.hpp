// One claimed attempt from start to record: opens the webhook's secrets, signs the body with both
// schemes at the attempt's own timestamp, sends it, and stores the result with the complete step
// (the next attempt's delay from the retry policy). A result that cannot be stored because Redis
// is away waits here until it can be (or until the process gives up on it at exit).
#pragma once

#include "common/redis/client.hpp"
#include "webhookd/retry_policy.hpp"
#include "webhookd/worker_metrics.hpp"
#include "webhooks/delivery/sender.hpp"
#include "webhooks/engine/engine_scripts.hpp"
#include "webhooks/secrets/keyring.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ssegw::webhookd {

class attempt_runner {
public:
    attempt_runner(redis::client& redis, webhooks::sender& sender, webhooks::keyring const& keys, retry_policy policy,
                   webhooks::engine_limits limits, worker_metrics& metrics);

    /// Sends `job` (its claim held) and records the result; `done` runs once, when the result is
    /// stored or found stale, on the worker's executor. `due_ms`: when it was meant to start (the
    /// publish time for a first attempt), for the lag histogram.
    void run(webhooks::send_job job, std::int64_t due_ms, std::function<void()> done);

    /// Sends the results that wait for Redis again (call when it is back).
    void flush();
    /// Results held because Redis was away.
    std::size_t unrecorded() const noexcept { return waiting_.size(); }
    /// At exit: the waiting results are given up (their attempts are sent again once their leases
    /// lapse) and their `done`s run.
    void abandon();

private:
    struct record;
    void send_signed(std::shared_ptr<record> r);
    void finish(std::shared_ptr<record> r, webhooks::attempt_result result);
    void store(std::shared_ptr<record> r);
    void stored(record& r, webhooks::complete_result const& c);

    redis::client& redis_;
    webhooks::sender& sender_;
    webhooks::keyring const& keys_;
    retry_policy policy_;
    webhooks::engine_limits limits_;
    worker_metrics& metrics_;
    std::deque<std::shared_ptr<record>> waiting_;
};

} // namespace ssegw::webhookd

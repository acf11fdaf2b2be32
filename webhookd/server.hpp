// sse-webhookd put together on one thread and one io_context: the operations endpoints (/healthz,
// /readyz, /metrics), two Redis connections (the steps, and the event reader's blocking reads),
// the outbound sender, the delivery engine, and the SIGTERM drain. It only wires the pieces.
#pragma once

#include "common/http/idle_connections.hpp"
#include "common/http/listener.hpp"
#include "common/http/site.hpp"
#include "common/metrics/registry.hpp"
#include "common/net.hpp"
#include "common/redis/client.hpp"
#include "webhookd/config.hpp"
#include "webhookd/delivery_engine.hpp"
#include "webhookd/worker_metrics.hpp"
#include "webhooks/delivery/sender.hpp"
#include "webhooks/model/address_policy.hpp"

#include <chrono>
#include <memory>

namespace ssegw::webhookd {

class server {
public:
    /// Throws std::runtime_error when the sender cannot be made (an unreadable --webhook-ca-file).
    explicit server(config cfg);
    ~server();

    /// Runs until drained; returns the exit code.
    int run();

private:
    void drain();
    void check_drained();

    config cfg_;
    net::io_context ioc_{1};
    metrics::registry registry_;
    worker_metrics metrics_;
    web::site site_;
    web::idle_connections idle_;
    std::shared_ptr<redis::client> redis_;
    std::shared_ptr<redis::client> reader_conn_;
    webhooks::address_policy addresses_;
    webhooks::sender sender_;
    delivery_engine engine_;
    web::listener listener_;
    net::signal_set signals_;
    net::steady_timer drain_timer_;
    std::chrono::steady_clock::time_point drain_deadline_{};
};

} // namespace ssegw::webhookd

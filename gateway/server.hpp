// The gateway put together (the stream service, and the webhook management API when enabled): the control thread's io_context (signals, the listener, the
// control plane's Redis connections, the drain) and the worker threads that own the client
// sockets. It only wires the pieces; each piece says what it does.
#pragma once

#include "common/http/listener.hpp"
#include "common/http/site.hpp"
#include "common/metrics/registry.hpp"
#include "common/net.hpp"
#include "common/redis/bridge.hpp"
#include "common/tls/server_context.hpp"
#include "gateway/config.hpp"
#include "gateway/control_plane.hpp"
#include "gateway/drainer.hpp"
#include "gateway/worker.hpp"
#include "webhooks/api/management_api.hpp"

#include <memory>
#include <vector>

namespace ssegw::gateway {

class server {
public:
    /// `tls`: serve HTTPS with this context (cfg.tls_cert/tls_key are reloaded on SIGHUP); null: plain HTTP.
    explicit server(config cfg, tls::context_ptr tls = nullptr);
    ~server();

    /// Runs on the calling thread (the control thread) until drained; returns the exit code.
    int run();

private:
    void wait_reload_signal();
    /// Workers first (their sessions still call the control plane and hold listener slots), then Redis.
    void stop_all();

    // Declaration order is teardown order, reversed: the control io_context outlives everything
    // that posts to it; the listener and the control plane outlive the workers, whose sessions
    // hold listener slots and call the control plane as they are destroyed.
    config cfg_;
    net::io_context control_{1};
    metrics::registry registry_;
    web::site site_;
    std::vector<std::unique_ptr<worker>> workers_;  // filled in the constructor; emptied first
    control_plane plane_;
    redis::bridge bridge_;                                   // the webhook API's way to plane_'s Redis
    std::unique_ptr<webhooks::management_api> webhook_api_;  // with --webhook-secret-key-file only
    web::listener listener_;
    drainer drainer_;
    net::signal_set signals_;
    net::signal_set reload_signals_;  // SIGHUP, with TLS only
    unsigned next_worker_ = 0;
    bool stopped_ = false;
};

} // namespace ssegw::gateway

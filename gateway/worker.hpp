// One event-loop thread: its io_context, the streams it owns (indexed by channel in its hub),
// the keep-alive connections waiting for a request, the periodic tick that drives keepalives and
// timeouts, and the frames every stream shares. It reaches the control thread only through
// stream_services.
#pragma once

#include "common/http/idle_connections.hpp"
#include "common/net.hpp"
#include "common/sse/frame.hpp"
#include "gateway/channel_hub.hpp"
#include "gateway/stream_context.hpp"
#include "gateway/stream_services.hpp"

#include <memory>
#include <optional>
#include <thread>

namespace ssegw::gateway {

class worker {
public:
    worker(unsigned index, stream_services& services);
    ~worker();
    worker(worker const&) = delete;
    worker& operator=(worker const&) = delete;

    void start();
    void stop() { ioc_.stop(); }
    /// Worker-thread only: the worker whose thread this is (route handlers run on one).
    static worker& current() noexcept { return *current_; }

    net::io_context& ioc() noexcept { return ioc_; }
    net::any_io_executor executor() { return ioc_.get_executor(); }
    channel_hub& hub() noexcept { return hub_; }
    web::idle_connections& idle() noexcept { return idle_; }
    stream_services& services() noexcept { return services_; }
    config const& cfg() const noexcept { return services_.cfg(); }
    stream_metrics& stats() noexcept { return services_.stats(); }

    /// Worker-thread only. Ends every stream opened with this key.
    void revoke(std::string const& key_hash);
    /// Worker-thread only. Drain: every stream gets a jittered retry and a clean end, and every
    /// keep-alive connection waiting for a request is closed.
    void drain();

    /// What this worker's streams are given.
    stream_context const& streams() const noexcept { return streams_; }

private:
    void do_tick();

    // Order matters: ioc_ is destroyed before hub_, idle_ and the frames, because destroying it
    // destroys the sessions its pending handlers still own, and they leave the hub.
    unsigned index_;
    stream_services& services_;
    channel_hub hub_;
    web::idle_connections idle_;
    shared_frames frames_;
    std::chrono::steady_clock::duration tick_every_;
    net::io_context ioc_{1};
    stream_context streams_;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> guard_;
    net::steady_timer tick_;
    std::thread thread_;
    static thread_local worker* current_;
};

} // namespace ssegw::gateway

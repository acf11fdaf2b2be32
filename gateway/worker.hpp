// One event-loop thread: its io_context, the streams it owns (indexed by channel in its hub),
// the periodic tick that drives keepalives and timeouts, and the frames every stream shares.
#pragma once

#include "common/net.hpp"
#include "common/sse/frame.hpp"
#include "gateway/channel_hub.hpp"
#include "gateway/config.hpp"

#include <memory>
#include <optional>
#include <thread>
#include <unordered_set>

namespace ssegw::gateway {

class http_session_base;
class server;

class worker {
public:
    worker(unsigned index, server& srv);
    ~worker();
    worker(worker const&) = delete;
    worker& operator=(worker const&) = delete;

    void start();
    /// Lets the thread finish once its work runs out, then joins it.
    void join();
    void stop() { ioc_.stop(); }

    net::io_context& ioc() noexcept { return ioc_; }
    net::any_io_executor executor() { return ioc_.get_executor(); }
    unsigned index() const noexcept { return index_; }
    channel_hub& hub() noexcept { return hub_; }
    server& srv() noexcept { return srv_; }
    config const& cfg() const noexcept;

    /// Worker-thread only. Ends every stream opened with this key.
    void revoke(std::string const& key_hash);
    /// Worker-thread only. Drain: every stream gets a jittered retry and a clean end, and every
    /// keep-alive connection waiting for a request is closed.
    void drain();
    /// Worker-thread only. An http_session is (or no longer is) waiting for a request.
    void track_waiting(http_session_base* s, bool waiting);

    sse::frame_ptr const& retry_frame() const noexcept { return retry_; }
    sse::frame_ptr const& keepalive_frame() const noexcept { return keepalive_; }
    sse::frame_ptr const& revoked_frame() const noexcept { return revoked_; }
    sse::frame_ptr const& last_chunk_frame() const noexcept { return last_chunk_; }
    sse::frame_ptr const& unavailable_frame() const noexcept { return unavailable_; }

private:
    void do_tick();

    // Order matters: ioc_ is destroyed before hub_ and the frames, because destroying it
    // destroys the sessions its pending handlers still own, and they leave the hub.
    unsigned index_;
    server& srv_;
    channel_hub hub_;
    std::unordered_set<http_session_base*> waiting_;
    sse::frame_ptr retry_, keepalive_, revoked_, last_chunk_, unavailable_;
    std::chrono::steady_clock::duration tick_every_;
    net::io_context ioc_{1};
    std::optional<net::executor_work_guard<net::io_context::executor_type>> guard_;
    net::steady_timer tick_;
    std::thread thread_;
};

} // namespace ssegw::gateway

// The control thread's Redis side of the stream service: the commands connection, the dispatcher
// (and its subscriber), the replay-log reader, the per-user leases and the stream opener. It is the
// stream_services the workers call; each call hops onto the control thread and answers on the
// caller's executor.
#pragma once

#include "common/metrics/registry.hpp"
#include "common/redis/client.hpp"
#include "gateway/dispatcher.hpp"
#include "gateway/lease_keeper.hpp"
#include "gateway/log_reader.hpp"
#include "gateway/stream_opener.hpp"
#include "gateway/stream_services.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ssegw::gateway {

class worker;

class control_plane final : public stream_services {
public:
    /// `workers` is filled by the caller before start(); the dispatcher posts to them.
    control_plane(config const& cfg, net::io_context& control, metrics::registry& registry,
                  std::vector<std::unique_ptr<worker>>& workers);
    ~control_plane() override;

    void start();
    void stop();
    /// Control thread. Up, subscribed, gaps filled; else `why` says what is missing.
    bool ready(std::string& why) const;
    /// Control thread. Frees every lease this instance holds; `done` once Redis answered or failed.
    void release_all_leases(std::function<void()> done);
    /// The commands connection (control thread), which the webhook API shares through a bridge.
    redis::client& redis() { return *redis_; }
    /// Set on drain: new streams are refused.
    void refuse_new_streams() { refusing_.store(true, std::memory_order_relaxed); }

    // stream_services
    config const& cfg() const override { return cfg_; }
    stream_metrics& stats() override { return stats_; }
    void open_stream(open_request req, net::any_io_executor reply_to, std::function<void(open_result)> done) override;
    void replay(std::string log_key, sse::event_id last, net::any_io_executor reply_to, replay_handler done) override;
    void channel_changed(unsigned worker, std::string channel, bool joined, std::uint64_t epoch) override;
    void release_lease(std::string user_id, std::string member) override;

private:
    config const& cfg_;
    net::io_context& control_;
    stream_metrics stats_;
    std::shared_ptr<redis::client> redis_;
    std::unique_ptr<dispatcher> dispatcher_;
    std::unique_ptr<log_reader> logs_;
    std::unique_ptr<lease_keeper> leases_;
    std::unique_ptr<stream_opener> opener_;
    std::atomic<bool> refusing_{false};
    bool stopped_ = false;
};

} // namespace ssegw::gateway

#include "gateway/control_plane.hpp"

#include "gateway/worker.hpp"

namespace ssegw::gateway {

control_plane::control_plane(config const& cfg, net::io_context& control, metrics::registry& registry,
                             std::vector<std::unique_ptr<worker>>& workers)
    : cfg_(cfg), control_(control), stats_(registry) {
    redis_ = std::make_shared<redis::client>(control_.get_executor(), cfg_.redis, "commands");
    dispatcher_ = std::make_unique<dispatcher>(workers, stats_, cfg_.redis, *redis_, control_.get_executor());
    logs_ = std::make_unique<log_reader>(*redis_);
    leases_ = std::make_unique<lease_keeper>(*redis_, control_.get_executor(), cfg_.instance_id,
                                             std::chrono::duration_cast<std::chrono::milliseconds>(cfg_.lease_ttl));
    opener_ = std::make_unique<stream_opener>(*redis_, *leases_, cfg_.max_conns_per_user);
    // Read at scrape time, on the control thread (metrics are rendered there).
    registry.add_computed("sse_gateway_redis_connected", "Whether Redis is connected and subscribed.", "gauge",
                          [this] { return redis_->up() && dispatcher_->subscriber().up() ? 1.0 : 0.0; });
    registry.add_computed("sse_gateway_redis_reconnects_total", "Redis reconnection attempts.", "counter", [this] {
        return static_cast<double>(redis_->reconnects() + dispatcher_->subscriber().reconnects());
    });
    registry.add_computed("sse_gateway_redis_subscriptions", "Channels subscribed.", "gauge",
                          [this] { return static_cast<double>(dispatcher_->subscriber().subscriptions()); });
}

control_plane::~control_plane() { stop(); }

void control_plane::start() {
    redis_->start();
    dispatcher_->subscriber().start();
    leases_->start();
}

void control_plane::stop() {
    if (stopped_) return;
    stopped_ = true;
    leases_->stop();
    dispatcher_->subscriber().stop();
    redis_->stop();
}

bool control_plane::ready(std::string& why) const {
    if (refusing_.load(std::memory_order_relaxed)) why = "draining";
    else if (!redis_->up()) why = "redis commands connection down";
    else if (!dispatcher_->ready()) why = "redis subscriptions not in place";
    else return true;
    return false;
}

void control_plane::release_all_leases(std::function<void()> done) { leases_->release_all(std::move(done)); }

void control_plane::release_lease(std::string user_id, std::string member) {
    net::post(control_, [this, u = std::move(user_id), m = std::move(member)] { leases_->release(u, m); });
}

void control_plane::channel_changed(unsigned w, std::string channel, bool joined, std::uint64_t epoch) {
    net::post(control_, [this, w, c = std::move(channel), joined, epoch] {
        dispatcher_->channel_changed(w, c, joined, epoch);
    });
}

void control_plane::replay(std::string log_key, sse::event_id last, net::any_io_executor reply_to,
                           replay_handler done) {
    net::post(control_, [this, key = std::move(log_key), last, reply_to, done = std::move(done)]() mutable {
        logs_->replay(key, last, [reply_to, done = std::move(done)](replay_result r) mutable {
            std::vector<sse::frame_ptr> frames;
            frames.reserve(r.entries.size());
            for (auto const& e : r.entries) frames.push_back(sse::frame::event(e.id, e.event, e.data));
            net::post(reply_to, [done = std::move(done), ok = r.ok, reset = std::move(r.reset_reason),
                                 frames = std::move(frames)]() mutable { done(ok, reset, std::move(frames)); });
        });
    });
}

void control_plane::open_stream(open_request req, net::any_io_executor reply_to,
                                std::function<void(open_result)> done) {
    net::post(control_, [this, req = std::move(req), reply_to, done = std::move(done)]() mutable {
        std::optional<web::api_error> refuse;
        if (refusing_.load(std::memory_order_relaxed))
            refuse = web::api_error{web::error_kind::unavailable, "this instance is shutting down"};
        else if (!redis_->up() || !dispatcher_->subscriber().up())
            refuse = web::api_error{web::error_kind::unavailable, "Redis is unavailable, try again shortly"};
        if (refuse) return net::post(reply_to, [done = std::move(done), e = *refuse] { done(e); });
        opener_->open(std::move(req), [reply_to, done = std::move(done)](open_result r) mutable {
            net::post(reply_to, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
        });
    });
}

} // namespace ssegw::gateway

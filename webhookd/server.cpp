#include "webhookd/server.hpp"

#include "common/http/ops_endpoints.hpp"
#include "common/log.hpp"

namespace ssegw::webhookd {
namespace {

using namespace std::chrono_literals;

webhooks::sender_options sender_options_of(config const& cfg, webhooks::address_policy const& addresses) {
    webhooks::sender_options o;
    o.addresses = &addresses;
    o.allow_http = cfg.webhook.allow_http;
    o.ca_file = cfg.webhook.ca_file;
    // The contract keeps at most --max-in-flight-per-webhook idle connections per origin.
    o.max_idle_per_origin = cfg.max_in_flight_per_webhook;
    return o;
}

} // namespace

server::server(config cfg)
    : cfg_(std::move(cfg)),
      metrics_(registry_),
      redis_(std::make_shared<redis::client>(ioc_.get_executor(), cfg_.redis, "steps")),
      reader_conn_(std::make_shared<redis::client>(ioc_.get_executor(), cfg_.redis, "events")),
      addresses_(cfg_.webhook.allow_nets),
      sender_(ioc_.get_executor(), sender_options_of(cfg_, addresses_)),
      engine_(ioc_, cfg_, *redis_, *reader_conn_, sender_, metrics_),
      listener_(ioc_, site_, [this] { return web::listener::placement{ioc_, idle_}; }, 64, 0),
      signals_(ioc_, SIGINT, SIGTERM),
      drain_timer_(ioc_) {
    site_.realm = "sse-webhookd";
    registry_.add_computed("sse_webhook_in_flight", "Attempts this instance holds now.", "gauge",
                           [this] { return static_cast<double>(engine_.in_flight()); });
    registry_.add_computed("sse_webhook_redis_connected", "1 while both Redis connections are up.", "gauge",
                           [this] { return redis_->up() && reader_conn_->up() ? 1.0 : 0.0; });
    registry_.add_computed("sse_webhook_redis_reconnects_total", "Redis connections made again after a loss.", "counter",
                           [this] { return static_cast<double>(redis_->reconnects() + reader_conn_->reconnects()); });
    web::add_ops_routes(site_.routes, {
        [this](net::any_io_executor reply_to, std::function<void(bool, std::string)> done) {
            std::string why;
            bool ok = !site_.draining && engine_.ready(why);
            if (site_.draining) why = "draining";
            net::post(reply_to, [done = std::move(done), ok, why = std::move(why)] { done(ok, why); });
        },
        [this](net::any_io_executor reply_to, std::function<void(std::string)> done) {
            net::post(reply_to, [done = std::move(done), text = registry_.render()]() mutable { done(std::move(text)); });
        },
    });
}

server::~server() {
    listener_.close();
    redis_->stop();
    reader_conn_->stop();
}

int server::run() {
    std::string error;
    if (!listener_.listen(cfg_.listen_host, cfg_.listen_port, error)) {
        log::error("cannot listen", {{"address", cfg_.listen_host + ":" + std::to_string(cfg_.listen_port)},
                                     {"error", error}});
        return 1;
    }
    redis_->start();
    reader_conn_->start();
    engine_.start();
    signals_.async_wait([this](error_code e, int sig) {
        if (e) return;
        log::info("signal received, draining", {{"signal", sig}});
        drain();
    });
    listener_.start();
    log::info("listening", {{"address", listener_.address()},
                            {"redis", cfg_.redis.host + ":" + std::to_string(cfg_.redis.port)},
                            {"maxInFlight", cfg_.max_in_flight},
                            {"maxInFlightPerWebhook", cfg_.max_in_flight_per_webhook}});
    ioc_.run();
    log::info("stopped");
    return 0;
}

void server::drain() {
    site_.draining = true;
    engine_.stop_taking();
    drain_deadline_ = std::chrono::steady_clock::now() + cfg_.drain_timeout;
    check_drained();
}

void server::check_drained() {
    bool late = std::chrono::steady_clock::now() >= drain_deadline_;
    if (engine_.idle() || late) {
        if (late && !engine_.idle()) {
            log::warn("drain timeout: attempts still held are left to their leases",
                      {{"inFlight", engine_.in_flight()}});
            engine_.abandon();
        }
        listener_.close();
        idle_.close_all();
        redis_->stop();
        reader_conn_->stop();
        ioc_.stop();
        return;
    }
    drain_timer_.expires_after(20ms);
    drain_timer_.async_wait([this](error_code e) {
        if (!e) check_drained();
    });
}

} // namespace ssegw::webhookd

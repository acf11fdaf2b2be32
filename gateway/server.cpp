#include "gateway/server.hpp"

#include "common/http/ops_endpoints.hpp"
#include "common/log.hpp"
#include "gateway/stream_endpoints.hpp"

namespace ssegw::gateway {

server::server(config cfg, tls::context_ptr tls)
    : cfg_(std::move(cfg)),
      plane_(cfg_, control_, registry_, workers_),
      bridge_(plane_.redis()),
      listener_(control_, site_,
                [this] {
                    auto& w = *workers_[next_worker_++ % workers_.size()];
                    return web::listener::placement{w.ioc(), w.idle()};
                },
                cfg_.max_connections, cfg_.max_conn_rate_per_ip),
      drainer_(control_, site_, listener_, plane_, workers_),
      signals_(control_, SIGINT, SIGTERM),
      reload_signals_(control_) {
    site_.cors_origins = cfg_.cors_origins;
    site_.header_timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(cfg_.header_timeout);
    site_.count_refusal = [&m = plane_.stats()](web::error_kind k) { m.reject(k); };
    add_stream_routes(site_.routes);
    if (cfg_.webhook_keys) {
        // Test requests go out from the control thread, on a strand: they are rare (one per user
        // at a time), and the control io_context outlives the API and its sender, where a
        // worker's io_context does not.
        webhook_api_ = std::make_unique<webhooks::management_api>(
            webhooks::management_settings{*cfg_.webhook_keys, cfg_.webhook.allow_http,
                                          webhooks::address_policy(cfg_.webhook.allow_nets), cfg_.webhook.secret_grace,
                                          cfg_.webhook.retention, cfg_.webhook.ca_file},
            bridge_, site_.draining, registry_, net::make_strand(control_));
        webhook_api_->add_routes(site_.routes);
    }
    web::add_ops_routes(site_.routes, {
        [this](net::any_io_executor reply_to, std::function<void(bool, std::string)> done) {
            net::post(control_, [this, reply_to, done = std::move(done)]() mutable {
                std::string why;
                bool ok = plane_.ready(why);
                net::post(reply_to, [done = std::move(done), ok, why = std::move(why)] { done(ok, why); });
            });
        },
        [this](net::any_io_executor reply_to, std::function<void(std::string)> done) {
            net::post(control_, [this, reply_to, done = std::move(done)]() mutable {
                net::post(reply_to, [done = std::move(done), text = registry_.render()]() mutable { done(std::move(text)); });
            });
        },
    });
    listener_.use_tls(std::move(tls));
    for (unsigned i = 0; i < cfg_.threads; ++i) workers_.push_back(std::make_unique<worker>(i, plane_));
}

server::~server() { stop_all(); }

int server::run() {
    std::string error;
    if (!listener_.listen(cfg_.listen_host, cfg_.listen_port, error)) {
        log::error("cannot listen", {{"address", cfg_.listen_host + ":" + std::to_string(cfg_.listen_port)},
                                     {"error", error}});
        return 1;
    }
    for (auto& w : workers_) w->start();
    plane_.start();
    signals_.async_wait([this](error_code e, int sig) {
        if (e) return;
        log::info("signal received, draining", {{"signal", sig}});
        reload_signals_.cancel();
        drainer_.start();
    });
    if (listener_.tls()) {
        reload_signals_.add(SIGHUP);
        wait_reload_signal();
    }
    listener_.start();
    log::info("listening", {{"address", listener_.address()},
                            {"scheme", listener_.tls() ? "https" : "http"},
                            {"threads", cfg_.threads},
                            {"redis", cfg_.redis.host + ":" + std::to_string(cfg_.redis.port)}});
    control_.run();
    stop_all();
    log::info("stopped");
    return 0;
}

void server::wait_reload_signal() {
    reload_signals_.async_wait([this](error_code e, int) {
        if (e) return;
        // The files into a new context for new connections; on failure the old one stays.
        auto r = tls::load_server_context(cfg_.tls_cert, cfg_.tls_key);
        if (r.ctx) {
            listener_.use_tls(std::move(r.ctx));
            tls::log_loaded(r, true);
        } else {
            log::error("tls certificate reload failed, keeping the previous one", {{"error", r.error}});
        }
        wait_reload_signal();
    });
}

void server::stop_all() {
    if (stopped_) return;
    stopped_ = true;
    listener_.close();
    for (auto& w : workers_) w->stop();  // streams still open after the grace period are cut here
    workers_.clear();
    plane_.stop();
}

} // namespace ssegw::gateway

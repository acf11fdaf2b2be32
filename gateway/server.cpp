#include "gateway/server.hpp"

#include "common/log.hpp"
#include "gateway/http_session.hpp"
#include "gateway/tls.hpp"

#include <algorithm>
#include <cmath>

namespace ssegw::gateway {
namespace {

constexpr auto drain_grace = std::chrono::seconds(6);  // then force-close; exit stays under 10 s

conn_rate_limiter::address address_key(net::ip::address const& a) {
    if (a.is_v4()) return conn_rate_limiter::v4(a.to_v4().to_uint());
    auto bytes = a.to_v6().to_bytes();
    conn_rate_limiter::address key{};
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
}

} // namespace

server::server(config cfg, tls_context_ptr tls)
    : cfg_(std::move(cfg)), acceptor_(control_), signals_(control_, SIGINT, SIGTERM), reload_signals_(control_),
      tls_ctx_(std::move(tls)), accept_backoff_(control_), drain_timer_(control_), conn_rate_(cfg_.max_conn_rate_per_ip) {
    for (unsigned i = 0; i < cfg_.threads; ++i) workers_.push_back(std::make_unique<worker>(i, *this));
    redis_ = std::make_shared<redis::client>(control_.get_executor(), cfg_.redis, "commands");
    dispatcher_ = std::make_unique<dispatcher>(workers_, metrics_, cfg_.redis, *redis_, control_.get_executor());
    logs_ = std::make_unique<log_reader>(*redis_);
    leases_ = std::make_unique<lease_keeper>(
        *redis_, control_.get_executor(), cfg_.instance_id,
        std::chrono::duration_cast<std::chrono::milliseconds>(cfg_.lease_ttl));
    opener_ = std::make_unique<stream_opener>(*redis_, *leases_, cfg_.max_conns_per_user);
}

server::~server() { stop_all(); }

int server::run() {
    error_code ec;
    tcp::endpoint ep(net::ip::make_address(cfg_.listen_host), cfg_.listen_port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        log::error("cannot listen", {{"address", cfg_.listen_host + ":" + std::to_string(cfg_.listen_port)},
                                     {"error", ec.message()}});
        return 1;
    }
    auto local = acceptor_.local_endpoint();
    std::string address = local.address().is_v6() ? "[" + local.address().to_string() + "]" : local.address().to_string();
    address += ":" + std::to_string(local.port());

    for (auto& w : workers_) w->start();
    redis_->start();
    dispatcher_->subscriber().start();
    leases_->start();
    signals_.async_wait([this](error_code e, int sig) {
        if (e) return;
        log::info("signal received, draining", {{"signal", sig}});
        drain();
    });
    if (tls_ctx_) {
        reload_signals_.add(SIGHUP);
        wait_reload_signal();
    }
    do_accept();
    log::info("listening", {{"address", address},
                            {"scheme", tls_ctx_ ? "https" : "http"},
                            {"threads", cfg_.threads},
                            {"redis", cfg_.redis.host + ":" + std::to_string(cfg_.redis.port)}});
    control_.run();
    stop_all();
    log::info("stopped");
    return 0;
}

void server::do_accept() {
    auto& w = *workers_[next_worker_++ % workers_.size()];
    // The socket belongs to the worker's io_context from birth: it never moves threads.
    acceptor_.async_accept(w.ioc(), [this](error_code ec, tcp::socket s) { on_accept(ec, std::move(s)); });
}

void server::on_accept(error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        // Out of descriptors or a transient error: never stop accepting for good.
        log::warn("accept failed", {{"error", ec.message()}});
        accept_backoff_.expires_after(std::chrono::milliseconds(50));
        accept_backoff_.async_wait([this](error_code e) {
            if (!e) do_accept();
        });
        return;
    }
    if (!admit_rate(socket)) return do_accept();
    if (open_connections_.load(std::memory_order_relaxed) >= cfg_.max_connections) {
        metrics_.reject(error_kind::too_many);
        error_code ignored;
        socket.close(ignored);  // over --max-connections: refuse before spending anything on it
        return do_accept();
    }
    open_connections_.fetch_add(1, std::memory_order_relaxed);
    connection_slot slot(open_connections_);
    auto* w = workers_[(next_worker_ - 1) % workers_.size()].get();
    if (tls_ctx_) {
        // The newest context: a reload after this accept does not touch this connection.
        net::post(w->ioc(), [w, s = std::move(socket), slot = std::move(slot), ctx = tls_ctx_]() mutable {
            std::make_shared<https_session>(std::move(s), *w, std::move(slot), std::move(ctx))->run();
        });
        return do_accept();
    }
    net::post(w->ioc(), [w, s = std::move(socket), slot = std::move(slot)]() mutable {
        std::make_shared<http_session>(std::move(s), *w, std::move(slot))->run();
    });
    do_accept();
}

void server::wait_reload_signal() {
    reload_signals_.async_wait([this](error_code e, int) {
        if (e) return;
        reload_tls();
        wait_reload_signal();
    });
}

void server::reload_tls() {
    auto r = load_tls_context(cfg_.tls_cert, cfg_.tls_key);
    if (!r.ctx) {
        log::error("tls certificate reload failed, keeping the previous one", {{"error", r.error}});
        return;
    }
    tls_ctx_ = std::move(r.ctx);  // open connections keep the context they were accepted with
    log::info("tls certificate reloaded", {{"subject", r.subject}, {"not_after", r.not_after}, {"serial", r.serial}});
}

bool server::admit_rate(tcp::socket& socket) {
    if (!conn_rate_.enabled()) return true;
    error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) return true;  // already gone; the session will see it
    auto key = address_key(remote.address());
    auto now = conn_rate_limiter::clock::now();
    if (conn_rate_.allow(key, now)) return true;

    // Over the limit: a fixed 429, written without blocking (it fits any send buffer), then close;
    // no worker, slot or Redis is spent on it. A request already received is read away first so the
    // close is a FIN, not a reset that could discard the answer at the client.
    metrics_.reject(error_kind::too_many);
    auto retry = static_cast<unsigned>(std::ceil(std::max(1.0, conn_rate_.retry_after(key, now))));
    auto body = error_body({error_kind::too_many, "too many new connections from this address, retry later"});
    std::string res = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
                      "Cache-Control: no-store\r\nRetry-After: " + std::to_string(retry) +
                      "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    socket.non_blocking(true, ec);
    if (!ec) {
        char sink[4096];
        for (int i = 0; i < 4 && socket.available(ec) > 0 && !ec; ++i) socket.receive(net::buffer(sink), 0, ec);
        socket.send(net::buffer(res), 0, ec);
        socket.shutdown(tcp::socket::shutdown_send, ec);
    }
    socket.close(ec);
    log::debug("connection refused: rate per IP", {{"client", remote.address().to_string()}});
    return false;
}

void server::release_lease(std::string user_id, std::string member) {
    net::post(control_, [this, u = std::move(user_id), m = std::move(member)] { leases_->release(u, m); });
}

void server::channel_changed(unsigned w, std::string channel, bool joined, std::uint64_t epoch) {
    net::post(control_, [this, w, c = std::move(channel), joined, epoch] {
        dispatcher_->channel_changed(w, c, joined, epoch);
    });
}

void server::replay(std::string log_key, sse::event_id last, net::any_io_executor reply_to, replay_handler done) {
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

void server::open_stream(open_request req, net::any_io_executor reply_to, std::function<void(open_result)> done) {
    net::post(control_, [this, req = std::move(req), reply_to, done = std::move(done)]() mutable {
        std::optional<api_error> refuse;
        if (draining()) refuse = api_error{error_kind::unavailable, "this instance is shutting down"};
        else if (!redis_->up() || !dispatcher_->subscriber().up())
            refuse = api_error{error_kind::unavailable, "Redis is unavailable, try again shortly"};
        if (refuse) return net::post(reply_to, [done = std::move(done), e = *refuse] { done(e); });
        opener_->open(std::move(req), [reply_to, done = std::move(done)](open_result r) mutable {
            net::post(reply_to, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
        });
    });
}

bool server::ready(std::string& why) const {
    if (draining()) why = "draining";
    else if (!redis_->up()) why = "redis commands connection down";
    else if (!dispatcher_->ready()) why = "redis subscriptions not in place";
    else return true;
    return false;
}

void server::readiness(net::any_io_executor reply_to, std::function<void(bool, std::string)> done) {
    net::post(control_, [this, reply_to, done = std::move(done)]() mutable {
        std::string why;
        bool ok = ready(why);
        net::post(reply_to, [done = std::move(done), ok, why = std::move(why)] { done(ok, why); });
    });
}

void server::metrics_text(net::any_io_executor reply_to, std::function<void(std::string)> done) {
    net::post(control_, [this, reply_to, done = std::move(done)]() mutable {
        metrics::redis_state rs;
        rs.connected = redis_->up() && dispatcher_->subscriber().up();
        rs.reconnects = redis_->reconnects() + dispatcher_->subscriber().reconnects();
        rs.subscriptions = dispatcher_->subscriber().subscriptions();
        net::post(reply_to, [done = std::move(done), text = metrics_.render(rs)]() mutable { done(std::move(text)); });
    });
}

void server::drain() {
    if (draining_.exchange(true)) return;
    drain_started_ = std::chrono::steady_clock::now();
    error_code ignored;
    acceptor_.close(ignored);
    accept_backoff_.cancel();
    reload_signals_.cancel();
    for (auto& w : workers_) net::post(w->ioc(), [w = w.get()] { w->drain(); });
    finish_drain();
}

void server::finish_drain() {
    bool empty = open_connections_.load(std::memory_order_relaxed) == 0;
    if (!empty && std::chrono::steady_clock::now() - drain_started_ < drain_grace) {
        drain_timer_.expires_after(std::chrono::milliseconds(20));
        drain_timer_.async_wait([this](error_code ec) {
            if (!ec) finish_drain();
        });
        return;
    }
    // Free this instance's slots now rather than after the lease ttl.
    drain_timer_.expires_after(std::chrono::seconds(2));
    drain_timer_.async_wait([this](error_code ec) {
        if (!ec) control_.stop();
    });
    leases_->release_all([this] {
        drain_timer_.cancel();
        control_.stop();
    });
}

void server::stop_all() {
    if (stopped_) return;
    stopped_ = true;
    for (auto& w : workers_) w->stop();  // streams still open after the grace period are cut here
    workers_.clear();
    leases_->stop();
    dispatcher_->subscriber().stop();
    redis_->stop();
}

} // namespace ssegw::gateway

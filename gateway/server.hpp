// The gateway process: the control thread (signals, acceptor, both Redis connections, the
// dispatcher, leases, stream decisions) and the worker threads that own the client sockets.
// Cross-thread calls go through net::post; each method says which thread it runs on.
#pragma once

#include "common/net.hpp"
#include "common/redis/client.hpp"
#include "gateway/config.hpp"
#include "gateway/conn_rate_limiter.hpp"
#include "gateway/dispatcher.hpp"
#include "gateway/lease_keeper.hpp"
#include "gateway/log_reader.hpp"
#include "gateway/metrics.hpp"
#include "gateway/stream_opener.hpp"
#include "gateway/worker.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace ssegw::gateway {

class server {
public:
    /// `tls`: serve HTTPS with this context (cfg.tls_cert/tls_key are reloaded on SIGHUP); null: plain HTTP.
    explicit server(config cfg, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
    ~server();

    /// Runs on the calling thread (the control thread) until drained; returns the exit code.
    int run();

    // Any thread.
    config const& cfg() const noexcept { return cfg_; }
    metrics& stats() noexcept { return metrics_; }
    bool draining() const noexcept { return draining_.load(std::memory_order_relaxed); }
    void release_lease(std::string user_id, std::string member);
    void channel_changed(unsigned worker, std::string channel, bool joined, std::uint64_t epoch);
    /// Reads the replay log for a resuming stream on the control thread; `done` runs on `reply_to`
    /// with ok=false when Redis failed, the reset reason (empty if none) and the framed entries.
    using replay_handler = std::function<void(bool ok, std::string reset, std::vector<sse::frame_ptr>)>;
    void replay(std::string log_key, sse::event_id last, net::any_io_executor reply_to, replay_handler done);
    /// Decides a stream request on the control thread; `done` runs on `reply_to`.
    void open_stream(open_request req, net::any_io_executor reply_to, std::function<void(open_result)> done);
    void readiness(net::any_io_executor reply_to, std::function<void(bool ready, std::string why)> done);
    void metrics_text(net::any_io_executor reply_to, std::function<void(std::string)> done);

private:
    void do_accept();
    void on_accept(error_code ec, tcp::socket socket);
    /// --max-conn-rate-per-ip: false (and the socket answered 429 and closed) when over the limit.
    bool admit_rate(tcp::socket& socket);
    void drain();
    /// SIGHUP: the certificate files into a new context for new connections; on failure the old one stays.
    void reload_tls();
    void wait_reload_signal();
    void finish_drain();
    void stop_all();
    bool ready(std::string& why) const;

    config cfg_;
    metrics metrics_;
    net::io_context control_{1};
    std::vector<std::unique_ptr<worker>> workers_;
    std::shared_ptr<redis::client> redis_;
    std::unique_ptr<dispatcher> dispatcher_;
    std::unique_ptr<lease_keeper> leases_;
    std::unique_ptr<stream_opener> opener_;
    std::unique_ptr<log_reader> logs_;
    tcp::acceptor acceptor_;
    net::signal_set signals_;
    net::signal_set reload_signals_;  // SIGHUP, with TLS only
    std::shared_ptr<boost::asio::ssl::context> tls_ctx_;  // control thread only; sessions copy it at accept
    net::steady_timer accept_backoff_;
    net::steady_timer drain_timer_;
    std::chrono::steady_clock::time_point drain_started_;
    unsigned next_worker_ = 0;
    conn_rate_limiter conn_rate_;  // control thread only
    std::atomic<std::size_t> open_connections_{0};
    std::atomic<bool> draining_{false};
    bool stopped_ = false;
};

} // namespace ssegw::gateway

#include "common/http/listener.hpp"

#include "common/http/request_session.hpp"
#include "common/log.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace ssegw::web {
namespace {

conn_rate_limiter::address address_key(net::ip::address const& a) {
    if (a.is_v4()) return conn_rate_limiter::v4(a.to_v4().to_uint());
    auto bytes = a.to_v6().to_bytes();
    conn_rate_limiter::address key{};
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
}

} // namespace

listener::listener(net::io_context& control, site const& s, place_fn place, std::size_t max_connections,
                   double max_rate_per_ip)
    : site_(s), place_(std::move(place)), max_connections_(max_connections),
      rate_(max_rate_per_ip), acceptor_(control), backoff_(control),
      reserve_fd_(::open("/dev/null", O_RDONLY | O_CLOEXEC)) {
    auto body = error_body({error_kind::unavailable, "the server has no room for another connection: try again shortly"});
    shed_response_ = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                     "Connection: close\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body;
}

listener::~listener() {
    if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

bool listener::listen(std::string const& host, unsigned short port, std::string& error) {
    error_code ec;
    tcp::endpoint ep(net::ip::make_address(host, ec), port);
    if (!ec) acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) error = ec.message();
    return !ec;
}

std::string listener::address() const {
    error_code ec;
    auto local = acceptor_.local_endpoint(ec);
    auto a = local.address();
    return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(local.port());
}

void listener::start() { do_accept(); }

void listener::close() {
    error_code ignored;
    acceptor_.close(ignored);
    backoff_.cancel();
}

void listener::do_accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket s) { on_accept(ec, std::move(s)); });
}

void listener::on_accept(error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        // Linux answers EMFILE before looking at the queue: with or without a connection waiting.
        bool out_of_descriptors = ec.value() == EMFILE || ec.value() == ENFILE;
        if (out_of_descriptors && reserve_fd_ >= 0) {
            while (shed_one()) {
            }
            // Nothing waits now: the next connection, or descriptors freed, wake the accept again.
            acceptor_.async_wait(tcp::acceptor::wait_read, [this](error_code e) {
                if (e != net::error::operation_aborted && acceptor_.is_open()) do_accept();
            });
            return;
        }
        // A transient error, or out of descriptors with none in reserve: never stop accepting for good.
        // strerror rather than ec.message(): no virtual call while even the sanitizers' own checks
        // may lack a descriptor.
        log::warn("accept failed", {{"error", std::strerror(ec.value())}});
        backoff_.expires_after(std::chrono::milliseconds(50));
        backoff_.async_wait([this](error_code e) {
            if (!e) do_accept();
        });
        return;
    }
    do_accept();
    if (!admit_rate(socket)) return;
    if (open_.load(std::memory_order_relaxed) >= max_connections_) {
        site_.count_refusal(error_kind::too_many);
        error_code ignored;
        socket.close(ignored);  // over --max-connections: refuse before spending anything on it
        return;
    }
    open_.fetch_add(1, std::memory_order_relaxed);
    connection_slot slot(open_);
    // The descriptor moves onto the worker's io_context: from there on it never changes threads.
    auto protocol = socket.local_endpoint(ec).protocol();
    int fd = socket.release(ec);
    if (ec) return;
    auto where = place_();
    net::post(where.ioc, [&ioc = where.ioc, &idle = where.idle, &s = site_, protocol, fd, slot = std::move(slot),
                          ctx = tls_]() mutable {
        tcp::socket sock(ioc, protocol, fd);
        if (ctx) std::make_shared<tls_session>(std::move(sock), s, idle, std::move(slot), std::move(ctx))->run();
        else std::make_shared<plain_session>(std::move(sock), s, idle, std::move(slot), nullptr)->run();
    });
}

bool listener::shed_one() {
    if (reserve_fd_ < 0) return false;
    ::close(reserve_fd_);
    int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        // Best effort, never blocking: what the client sent is read first, so that closing does not
        // reset the connection before the answer reaches it.
        char discard[4096];
        while (::recv(fd, discard, sizeof discard, MSG_DONTWAIT) > 0) {
        }
        [[maybe_unused]] auto sent = ::send(fd, shed_response_.data(), shed_response_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        ::close(fd);
        site_.count_refusal(error_kind::unavailable);
        ++shed_unlogged_;
        auto now = std::chrono::steady_clock::now();
        if (now - shed_warned_ >= std::chrono::seconds(10)) {
            log::warn("out of file descriptors: connections answered 503 (raise LimitNOFILE / ulimit -n, or lower "
                      "--max-connections)",
                      {{"refused", shed_unlogged_}, {"open", open_.load(std::memory_order_relaxed)}});
            shed_warned_ = now;
            shed_unlogged_ = 0;
        }
    }
    reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0;
}

bool listener::admit_rate(tcp::socket& socket) {
    if (!rate_.enabled()) return true;
    error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) return true;  // already gone; the session will see it
    auto key = address_key(remote.address());
    auto now = conn_rate_limiter::clock::now();
    if (rate_.allow(key, now)) return true;

    // Over the limit: a fixed 429, written without blocking (it fits any send buffer), then close;
    // no worker, slot or Redis is spent on it. A request already received is read away first so the
    // close is a FIN, not a reset that could discard the answer at the client.
    site_.count_refusal(error_kind::too_many);
    auto retry = static_cast<unsigned>(std::ceil(std::max(1.0, rate_.retry_after(key, now))));
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

} // namespace ssegw::web

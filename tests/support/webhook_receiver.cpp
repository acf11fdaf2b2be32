#include "tests/support/webhook_receiver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <stdexcept>

namespace ssegw::it {
namespace {

/// One accepted connection's bytes, plain or TLS, with blocking calls (a shutdown() from the
/// destructor ends any of them).
struct conn_io {
    int fd = -1;
    SSL* ssl = nullptr;

    /// > 0 bytes, 0 at EOF or on any error.
    long read_some(char* buf, std::size_t n) {
        if (ssl) {
            int r = SSL_read(ssl, buf, static_cast<int>(n));
            return r > 0 ? r : 0;
        }
        auto r = ::recv(fd, buf, n, 0);
        return r > 0 ? r : 0;
    }

    bool write_all(std::string_view s) {
        while (!s.empty()) {
            long w = ssl ? SSL_write(ssl, s.data(), static_cast<int>(s.size()))
                         : ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
            if (w <= 0) return false;
            s.remove_prefix(static_cast<std::size_t>(w));
        }
        return true;
    }
};

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string trim_ows(std::string s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    return s;
}

/// Parses a request head (through its empty line); false if it is not one.
bool parse_head(std::string const& head, received_request& r) {
    auto eol = head.find("\r\n");
    auto line = head.substr(0, eol);
    auto sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) return false;
    r.method = line.substr(0, sp1);
    r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t at = eol + 2;
    while (at < head.size()) {
        auto end = head.find("\r\n", at);
        if (end == std::string::npos || end == at) break;
        auto h = head.substr(at, end - at);
        auto colon = h.find(':');
        if (colon == std::string::npos) return false;
        r.headers.emplace_back(h.substr(0, colon), trim_ows(h.substr(colon + 1)));
        at = end + 2;
    }
    return true;
}

std::string header_of(received_request const& r, std::string const& name) {
    for (auto const& [n, v] : r.headers)
        if (lower(n) == lower(name)) return v;
    return {};
}

} // namespace

webhook_receiver::webhook_receiver(std::optional<tls_files> tls) {
    std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up mid-body must not end the test process
    if (tls) {
        tls_ = true;
        ctx_ = SSL_CTX_new(TLS_server_method());
        if (!ctx_ || SSL_CTX_use_certificate_chain_file(ctx_, tls->cert.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx_, tls->key.c_str(), SSL_FILETYPE_PEM) != 1) {
            if (ctx_) SSL_CTX_free(ctx_);
            throw std::runtime_error("webhook_receiver: cannot load " + tls->cert + " / " + tls->key);
        }
    }
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 64) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (listen_fd_ >= 0) ::close(listen_fd_);
        if (ctx_) SSL_CTX_free(ctx_);
        throw std::runtime_error("webhook_receiver: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

webhook_receiver::~webhook_receiver() {
    stop_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> threads;
    {
        std::lock_guard lk(mu_);
        for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
        threads = std::move(conn_threads_);
    }
    for (auto& t : threads) t.join();
    ::close(listen_fd_);
    if (ctx_) SSL_CTX_free(ctx_);
}

std::string webhook_receiver::url(std::string const& path) const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

void webhook_receiver::reply_with(receiver_reply r) {
    std::lock_guard lk(mu_);
    reply_ = std::move(r);
}

std::vector<received_request> webhook_receiver::requests() const {
    std::lock_guard lk(mu_);
    return requests_;
}

bool webhook_receiver::wait_requests(std::size_t n, deadline d) const {
    return poll_until(d, [&] { return requests().size() >= n; }, 5ms);
}

void webhook_receiver::accept_loop() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        int n = ++connections_;
        std::lock_guard lk(mu_);
        if (stop_) {
            ::close(fd);
            return;
        }
        open_fds_.push_back(fd);
        conn_threads_.emplace_back([this, fd, n] { serve(fd, n); });
    }
}

void webhook_receiver::serve(int fd, int connection) {
    conn_io io{fd, nullptr};
    auto sleep_for = [&](std::chrono::milliseconds d) {
        auto end = clock::now() + d;
        while (!stop_ && clock::now() < end) std::this_thread::sleep_for(std::min<clock::duration>(5ms, end - clock::now()));
    };
    auto finish = [&] {
        {
            std::lock_guard lk(mu_);
            open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
        }
        if (io.ssl) SSL_free(io.ssl);
        ::close(fd);
    };
    if (tls_) {
        io.ssl = SSL_new(ctx_);
        SSL_set_fd(io.ssl, fd);
        if (SSL_accept(io.ssl) != 1) {
            ++tls_failures_;
            ERR_clear_error();
            return finish();
        }
    }
    std::string buf;
    char chunk[16384];
    int answered = 0;
    while (!stop_) {
        // One request: the head, then Content-Length bytes of body.
        std::size_t end;
        while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
            if (buf.size() > (1u << 20)) return finish();
            long n = io.read_some(chunk, sizeof chunk);
            if (n <= 0) return finish();
            buf.append(chunk, static_cast<std::size_t>(n));
        }
        received_request r;
        r.head = buf.substr(0, end + 4);
        r.connection = connection;
        if (!parse_head(r.head, r)) return finish();
        buf.erase(0, end + 4);
        std::size_t length = 0;
        if (auto cl = header_of(r, "content-length"); !cl.empty()) length = std::stoul(cl);
        while (buf.size() < length) {
            long n = io.read_some(chunk, sizeof chunk);
            if (n <= 0) return finish();
            buf.append(chunk, static_cast<std::size_t>(n));
        }
        r.body = buf.substr(0, length);
        buf.erase(0, length);
        receiver_reply reply;
        {
            std::lock_guard lk(mu_);
            requests_.push_back(r);
            reply = reply_;
        }

        if (reply.answers_per_connection >= 0 && answered >= reply.answers_per_connection) return finish();
        ++answered;
        if (reply.never) {  // until the client gives up
            while (io.read_some(chunk, sizeof chunk) > 0) {}
            return finish();
        }
        sleep_for(reply.delay);
        bool close_after = false;
        std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " Status\r\n";
        for (auto const& [n, v] : reply.headers) {
            head += n + ": " + v + "\r\n";
            close_after = close_after || (lower(n) == "connection" && lower(v) == "close");
        }
        std::size_t body_size = reply.body_bytes ? reply.body_bytes : reply.body.size();
        head += "Content-Length: " + std::to_string(body_size) + "\r\n\r\n";
        if (reply.trickle.count() > 0) {
            for (char c : head) {
                if (stop_ || !io.write_all(std::string_view(&c, 1))) return finish();
                sleep_for(reply.trickle);
            }
        } else if (!io.write_all(head)) {
            return finish();
        }
        if (reply.body_bytes) {
            std::string const xs(64 * 1024, 'x');
            for (std::size_t sent = 0; sent < body_size && !stop_;) {
                auto n = std::min(xs.size(), body_size - sent);
                if (!io.write_all(std::string_view(xs).substr(0, n))) return finish();
                sent += n;
            }
        } else if (!io.write_all(reply.body)) {
            return finish();
        }
        if (close_after || reply.hang_up) {
            if (io.ssl) SSL_shutdown(io.ssl);
            return finish();
        }
    }
    finish();
}

} // namespace ssegw::it

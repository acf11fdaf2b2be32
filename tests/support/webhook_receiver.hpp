// A webhook receiver inside the test process, on real sockets on 127.0.0.1: plain HTTP, or HTTPS
// with a certificate the test made. Each answer is configurable (status, headers, a delay, a head
// sent one byte at a time, a huge body, no answer at all), and it records every request exactly
// as it arrived and counts connections, so tests see what a receiver would see.
#pragma once

#include "tests/support/wait.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace ssegw::it {

struct receiver_reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // e.g. Retry-After, Location, Connection: close
    std::string body;
    std::size_t body_bytes = 0;              // > 0: a body of this many 'x' instead of `body` (a huge one)
    std::chrono::milliseconds delay{0};      // before the head
    std::chrono::milliseconds trickle{0};    // > 0: the head one byte at a time, this long apart
    bool never = false;                      // read the request, then answer nothing until the peer closes
    bool hang_up = false;                    // close the connection after the response without saying so
    int answers_per_connection = -1;         // >= 0: after this many answers, read the next request and close unanswered

    // Chained setters, so a test reads `receiver_reply{}.with_status(500).with_body("boom")`.
    receiver_reply& with_status(int s) { status = s; return *this; }
    receiver_reply& with_header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    receiver_reply& with_body(std::string b) { body = std::move(b); return *this; }
    receiver_reply& with_huge_body(std::size_t bytes) { body_bytes = bytes; return *this; }
    receiver_reply& with_delay(std::chrono::milliseconds d) { delay = d; return *this; }
    receiver_reply& with_trickle(std::chrono::milliseconds d) { trickle = d; return *this; }
    receiver_reply& answering_never() { never = true; return *this; }
    receiver_reply& hanging_up() { hang_up = true; return *this; }
    receiver_reply& answering_per_connection(int n) { answers_per_connection = n; return *this; }
};

struct received_request {
    std::string method, target;
    std::vector<std::pair<std::string, std::string>> headers;  // in order, as received
    std::string head;                                          // the raw head, through its empty line
    std::string body;                                          // the exact bytes (Content-Length framing)
    int connection = 0;                                        // 1 for the first accepted connection, …
};

class webhook_receiver {
public:
    struct tls_files {
        std::string cert, key;  // PEM
    };
    /// Listens on 127.0.0.1 on a free port; HTTPS when `tls` is given. Throws std::runtime_error.
    explicit webhook_receiver(std::optional<tls_files> tls = std::nullopt);
    /// Closes every connection and joins its threads.
    ~webhook_receiver();
    webhook_receiver(webhook_receiver const&) = delete;
    webhook_receiver& operator=(webhook_receiver const&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    /// `http(s)://127.0.0.1:<port><path>`.
    std::string url(std::string const& path = "/hook") const;

    /// The answer to every request from now on (the default: 200 with an empty body).
    void reply_with(receiver_reply r);

    std::vector<received_request> requests() const;
    /// Waits until `n` requests arrived; false at the deadline.
    bool wait_requests(std::size_t n, deadline d) const;
    /// Accepted TCP connections so far (TLS handshakes that failed included).
    int connections() const noexcept { return connections_.load(); }
    /// TLS handshakes that failed (the client refused the certificate).
    int tls_failures() const noexcept { return tls_failures_.load(); }

private:
    void accept_loop();
    void serve(int fd, int connection);

    bool tls_ = false;
    ssl_ctx_st* ctx_ = nullptr;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0}, tls_failures_{0};

    mutable std::mutex mu_;  // guards everything below
    receiver_reply reply_;
    std::vector<received_request> requests_;
    std::vector<int> open_fds_;
    std::vector<std::thread> conn_threads_;

    std::thread acceptor_;
};

} // namespace ssegw::it

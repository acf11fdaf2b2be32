// A blocking-with-deadlines TCP client socket (POSIX + poll) to 127.0.0.1, for the HTTP and SSE clients.
#pragma once

#include "tests/support/wait.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ssegw::it {

class tcp_conn {
public:
    /// Connects to 127.0.0.1:port; throws std::runtime_error on failure or timeout.
    /// rcvbuf > 0 shrinks SO_RCVBUF before connecting (a slow reader that fills up fast).
    tcp_conn(std::uint16_t port, deadline d, int rcvbuf = 0);
    ~tcp_conn();
    tcp_conn(tcp_conn const&) = delete;
    tcp_conn& operator=(tcp_conn const&) = delete;

    /// Sends everything; throws on error or timeout.
    void send_all(std::string_view data, deadline d);
    /// Reads what is available: >0 bytes, 0 at EOF (or connection reset, see reset()), -1 on timeout.
    long read_some(char* buf, std::size_t n, deadline d);
    bool reset() const noexcept { return reset_; }
    void close() noexcept;
    bool is_open() const noexcept { return fd_ >= 0; }

private:
    int fd_ = -1;
    bool reset_ = false;
};

/// A port nobody listens on right now (bind 127.0.0.1:0, read it, close).
std::uint16_t pick_free_port();

} // namespace ssegw::it

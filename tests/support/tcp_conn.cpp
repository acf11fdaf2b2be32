// A blocking-with-deadlines TCP client socket (POSIX + poll) to 127.0.0.1, for the HTTP and SSE clients.
#include "tests/support/tcp_conn.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ssegw::it {
namespace {

std::runtime_error sys_error(char const* what) {
    return std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

} // namespace

tcp_conn::tcp_conn(std::uint16_t port, deadline d, int rcvbuf) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw sys_error("socket");
    if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto addr = loopback(port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        if (errno != EINPROGRESS) {
            auto e = sys_error("connect");
            close();
            throw e;
        }
        pollfd p{fd_, POLLOUT, 0};
        int r = ::poll(&p, 1, ms_left(d));
        int err = 0;
        socklen_t len = sizeof err;
        if (r <= 0 || ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
            close();
            throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed: " +
                                     (r == 0 ? "timeout" : std::strerror(err ? err : errno)));
        }
    }
}

tcp_conn::~tcp_conn() { close(); }

void tcp_conn::close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void tcp_conn::send_all(std::string_view data, deadline d) {
    while (!data.empty()) {
        if (fd_ < 0) throw std::runtime_error("send on a closed socket");
        ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) throw sys_error("send");
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, ms_left(d)) == 0) throw std::runtime_error("send: timeout");
    }
}

long tcp_conn::read_some(char* buf, std::size_t n, deadline d) {
    for (;;) {
        if (fd_ < 0) return 0;
        ssize_t r = ::recv(fd_, buf, n, 0);
        if (r >= 0) return static_cast<long>(r);
        if (errno == ECONNRESET) {
            reset_ = true;
            return 0;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) throw sys_error("recv");
        pollfd p{fd_, POLLIN, 0};
        int left = ms_left(d);
        if (left == 0) return -1;
        if (::poll(&p, 1, left) == 0) return -1;
    }
}

std::uint16_t pick_free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw sys_error("socket");
    auto addr = loopback(0);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        auto e = sys_error("bind");
        ::close(fd);
        throw e;
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

} // namespace ssegw::it

// A private redis-server (from PATH) on a free 127.0.0.1 port; stoppable and restartable on the same port
// (Redis outage tests). By default without persistence (a restart comes back empty); with `persistent` it
// keeps an append-only file fsynced on every write in its directory, so a restart (graceful or a crash)
// comes back with every acknowledged write (keys, devices, replay logs).
#pragma once

#include "common/redis/sync_client.hpp"
#include "tests/support/process.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace ssegw::it {

class redis_server {
public:
    /// Starts it and waits until PING answers; retries with another port if the chosen one was taken.
    explicit redis_server(std::filesystem::path dir, bool persistent = false);
    ~redis_server();

    std::uint16_t port() const noexcept { return port_; }
    /// redis://127.0.0.1:PORT/0
    std::string url() const;
    redis::endpoint endpoint() const;
    /// A new blocking connection.
    std::unique_ptr<redis::sync_client> connect() const;

    /// SIGTERM and wait for exit (SIGKILL after 5 s).
    void stop();
    /// SIGKILL (no shutdown save): a crash. With persistence, acknowledged writes survive it.
    void crash();
    /// Starts again on the same port (and, if stopped, from the same data directory); throws if it does
    /// not answer PING within 10 s. Stops it first if it is running.
    void restart();
    /// Starts again on the same port after stop()/crash(); throws like restart().
    void start_again();
    bool persistent() const noexcept { return persistent_; }
    bool running();

private:
    bool start_on(std::uint16_t port, deadline d);

    std::filesystem::path dir_;
    bool persistent_ = false;
    std::uint16_t port_ = 0;
    int starts_ = 0;
    std::unique_ptr<process> proc_;
};

} // namespace ssegw::it

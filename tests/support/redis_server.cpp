// A private redis-server on a free 127.0.0.1 port, optionally persistent (AOF, fsync always); stoppable,
// crashable and restartable on the same port.
#include "tests/support/redis_server.hpp"

#include "tests/support/tcp_conn.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

namespace ssegw::it {
namespace {

std::string find_in_path(std::string const& name) {
    char const* path = std::getenv("PATH");
    std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= p.size()) {
        auto end = p.find(':', start);
        if (end == std::string::npos) end = p.size();
        std::string candidate = p.substr(start, end - start) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    throw std::runtime_error(name + " not found on PATH");
}

} // namespace

redis_server::redis_server(std::filesystem::path dir, bool persistent)
    : dir_(std::move(dir)), persistent_(persistent) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (start_on(pick_free_port(), in(10s))) return;
    }
    throw std::runtime_error("redis-server did not start; last log:\n" +
                             read_file(dir_ / ("redis-" + std::to_string(starts_) + ".log")));
}

redis_server::~redis_server() {
    if (proc_) proc_->kill_now();
}

std::string redis_server::url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

redis::endpoint redis_server::endpoint() const {
    redis::endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = port_;
    ep.db = 0;
    return ep;
}

std::unique_ptr<redis::sync_client> redis_server::connect() const {
    return std::make_unique<redis::sync_client>(endpoint());
}

bool redis_server::start_on(std::uint16_t port, deadline d) {
    ++starts_;
    process_options o;
    o.path = find_in_path("redis-server");
    o.args = {"--port",       std::to_string(port), "--bind", "127.0.0.1", "--save", "",
              "--daemonize",  "no", "--protected-mode", "no", "--dir", dir_.string(), "--logfile", ""};
    if (persistent_) {
        // Every write is in the AOF (under dir_/appendonlydir) before its reply and before any PUBLISH it
        // makes reaches a subscriber; the next start on the same dir loads it.
        o.args.insert(o.args.end(), {"--appendonly", "yes", "--appendfsync", "always", "--appenddirname",
                                     "appendonlydir", "--aof-use-rdb-preamble", "no"});
    } else {
        o.args.insert(o.args.end(), {"--appendonly", "no"});
    }
    o.stdout_file = (dir_ / ("redis-" + std::to_string(starts_) + ".log")).string();
    o.stderr_file = o.stdout_file;
    proc_ = std::make_unique<process>(o);
    port_ = port;
    bool up = poll_until(d, [&] {
        if (!proc_->running()) return true;
        try {
            redis::sync_client c(endpoint(), std::chrono::milliseconds(500));
            auto r = c.command({"PING"});
            return r && r->type == REDIS_REPLY_STATUS;
        } catch (std::exception const&) {
            return false;
        }
    });
    if (up && proc_->running()) return true;
    proc_->kill_now();
    return false;
}

void redis_server::stop() {
    if (proc_) proc_->stop(5s);
}

void redis_server::crash() {
    if (proc_) proc_->kill_now();
}

void redis_server::restart() {
    stop();
    start_again();
}

void redis_server::start_again() {
    if (running()) stop();
    if (!start_on(port_, in(10s)))
        throw std::runtime_error("redis-server did not restart on port " + std::to_string(port_) + "; log:\n" +
                                 read_file(dir_ / ("redis-" + std::to_string(starts_) + ".log")));
}

bool redis_server::running() { return proc_ && proc_->running(); }

} // namespace ssegw::it

// A service of ours (sse-gateway, sse-webhookd) as a child process: `--listen 127.0.0.1:0 --redis URL
// --instance-id NAME` + flags; finds its port in the "listening" log line and waits until /readyz
// answers 200.
#pragma once

#include "tests/support/process.hpp"

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ssegw::it {

/// Path of the built sse-gateway (SSEGW_GATEWAY_BIN), or the SSEGW_GATEWAY_BIN environment variable.
std::string gateway_binary();
/// Path of the built sse-webhookd (SSEGW_WEBHOOKD_BIN), or the SSEGW_WEBHOOKD_BIN environment variable.
std::string webhookd_binary();

class service {
public:
    /// Starts `binary`; waits (10 s each) for the listening line and, if `wait_ready`, for /readyz 200.
    /// Throws std::runtime_error with the log if it exits or does not get there. `name` names its
    /// log file (<dir>/<name>-<instance>.log) and its messages.
    service(std::string binary, std::string name, std::filesystem::path const& dir, std::string redis_url,
            std::string instance_id, std::vector<std::string> extra_args = {}, bool wait_ready = true,
            std::vector<std::pair<std::string, std::string>> env = {});
    ~service();
    service(service const&) = delete;
    service& operator=(service const&) = delete;

    std::string const& name() const noexcept { return name_; }

    std::uint16_t port() const noexcept { return port_; }
    std::string const& instance_id() const noexcept { return instance_id_; }
    /// Its stderr (JSON lines) so far.
    std::string log() const;
    /// The last `n` log lines.
    std::string log_tail(std::size_t n = 40) const;
    process& proc() noexcept { return *proc_; }

    /// GET /readyz status (0 if the request failed).
    int readyz_status() const;
    /// Polls /readyz until it answers `status`; true if it did by the deadline.
    bool wait_readyz(int status, deadline d) const;

    void kill_now() { proc_->kill_now(); }
    void terminate() { proc_->signal(SIGTERM); }

private:
    std::string name_;
    std::string instance_id_;
    std::filesystem::path log_path_;
    std::unique_ptr<process> proc_;
    std::uint16_t port_ = 0;
};

} // namespace ssegw::it

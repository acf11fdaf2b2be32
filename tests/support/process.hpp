// A child process for the integration tests: fork/exec with args and env, output to files, never leaked
// (killed and reaped on destruction, and PR_SET_PDEATHSIG if the test binary itself dies).
#pragma once

#include "tests/support/wait.hpp"

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ssegw::it {

struct process_options {
    std::string path;                                      // executable
    std::vector<std::string> args;                         // without argv[0]
    std::vector<std::pair<std::string, std::string>> env;  // set on top of the parent's environment
    std::string stdin_file;   // empty: /dev/null
    std::string stdout_file;  // empty: /dev/null
    std::string stderr_file;  // empty: /dev/null
};

class process {
public:
    /// Starts the child; throws std::runtime_error if fork fails. A failed exec exits 127.
    /// SSE_GATEWAY_* variables of the parent are not inherited (hermetic gateway config).
    explicit process(process_options opts);
    ~process();  // SIGKILL + reap if still running
    process(process const&) = delete;
    process& operator=(process const&) = delete;

    pid_t pid() const noexcept { return pid_; }
    std::string const& path() const noexcept { return opts_.path; }

    /// True while the child has not exited (reaps it if it has).
    bool running();
    /// The raw wait status once reaped.
    std::optional<int> status() const noexcept { return status_; }

    void signal(int sig);
    /// Waits until the child exits or the deadline passes; returns the wait status if it exited.
    std::optional<int> wait_until(deadline d);
    /// SIGTERM, wait until `grace`, then SIGKILL and reap.
    void stop(clock::duration grace = 5s);
    /// SIGKILL and reap.
    void kill_now();

private:
    process_options opts_;
    pid_t pid_ = -1;
    std::optional<int> status_;
};

/// "exit 0", "signal 9", … for messages.
std::string describe_status(std::optional<int> status);

} // namespace ssegw::it

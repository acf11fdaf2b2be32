// nginx in front of the gateways, as users deploy it: `deploy/nginx/start` run as a child (TLS on a free
// port, HTTP/2, proxying to the given gateways), and `curl` clients whose output is read through a pipe as
// it streams, each line stamped with its arrival time.
#pragma once

#include "tests/support/process.hpp"
#include "tests/support/wait.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ssegw::it {

/// The first executable `name` on PATH (then /usr/sbin, /sbin); "" if there is none.
std::string find_program(std::string const& name);
/// The repository's root (SSEGW_SOURCE_DIR).
std::filesystem::path source_dir();

/// One line of a child's stdout (without its LF) and when the test read it.
struct timed_line {
    std::string text;
    clock::time_point at;
};

/// A child whose stdout is a pipe the test reads incrementally (stderr goes to a file).
class piped_child {
public:
    /// `o.stdout_file` is ignored: stdout is the pipe.
    explicit piped_child(process_options o);
    ~piped_child();
    piped_child(piped_child const&) = delete;
    piped_child& operator=(piped_child const&) = delete;

    int fd() const noexcept { return fd_; }
    /// Reads whatever is available now without blocking; false once the pipe is at EOF.
    bool read_available();
    /// Waits until data arrives (then reads it) or the deadline passes; false on timeout or EOF.
    bool pump(deadline d);
    /// Reads until `pred()` holds, EOF or the deadline; returns pred().
    template <class Pred>
    bool read_until(deadline d, Pred&& pred) {
        while (!pred())
            if (!pump(d)) return pred();
        return true;
    }
    /// Reads until the child closes its stdout; true if it did by the deadline.
    bool wait_eof(deadline d);

    bool eof() const noexcept { return eof_; }
    std::string const& output() const noexcept { return out_; }
    std::vector<timed_line> const& lines() const noexcept { return lines_; }
    /// The first line that starts with `prefix`, if any.
    std::optional<timed_line> line_starting(std::string const& prefix) const;
    /// How many lines start with `prefix`.
    std::size_t count_starting(std::string const& prefix) const;
    std::string err() const;
    process& proc() noexcept { return *proc_; }
    /// Exit status, output and stderr, for failure messages.
    std::string describe(std::size_t max = 3000);

private:
    std::unique_ptr<process> proc_;
    std::string err_file_;
    int fd_ = -1;
    std::string out_;
    std::string partial_;
    std::vector<timed_line> lines_;
    bool eof_ = false;
};

/// Polls every child's pipe at once until one has data (all ready ones are read) or the deadline passes;
/// false on timeout or if all are at EOF.
bool pump_any(std::vector<piped_child*> const& children, deadline d);

/// deploy/nginx/start of this repository, or the SSEGW_NGINX_START environment variable.
std::filesystem::path nginx_start_script();
/// Path of curl ("" if not installed).
std::string curl_binary();

struct nginx_options {
    std::vector<std::uint16_t> upstream_ports;  // gateways on 127.0.0.1
    int read_timeout_s = 330;                    // SSEGW_NGINX_READ_TIMEOUT (the script's default)
    std::filesystem::path dashboard_dir;         // empty: an empty directory in the prefix
};

/// `nginx_start_script() PREFIX PORT DASHBOARD_DIR 127.0.0.1:P...` on a free port; waits (15 s) until it
/// completes TLS handshakes that verify against PREFIX/cert.pem. Throws std::runtime_error with its log
/// if nginx or the script is missing, or it does not get there. Stops it (and its workers) when destroyed.
class nginx_proxy {
public:
    nginx_proxy(std::filesystem::path const& dir, nginx_options o);
    ~nginx_proxy();
    nginx_proxy(nginx_proxy const&) = delete;
    nginx_proxy& operator=(nginx_proxy const&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    std::filesystem::path const& prefix() const noexcept { return prefix_; }
    std::filesystem::path cacert() const { return prefix_ / "cert.pem"; }
    std::filesystem::path access_log() const { return prefix_ / "access.log"; }
    /// `https://127.0.0.1:PORT` + path (the certificate names IP:127.0.0.1).
    std::string url(std::string const& path) const;
    /// The start script's stdout+stderr, and any *.log in the prefix but the access log, for messages.
    std::string log() const;
    bool running() { return proc_ && proc_->running(); }

    /// The base arguments of a curl through this nginx: -sS --cacert PREFIX/cert.pem.
    std::vector<std::string> curl_args() const;

private:
    bool try_start(std::uint16_t port, nginx_options const& o, std::string& why);
    void stop();

    std::filesystem::path prefix_;
    std::filesystem::path out_file_;
    std::unique_ptr<process> proc_;
    std::uint16_t port_ = 0;
};

/// A streaming curl through nginx: `curl -sS -N -i --cacert … [extra…] -H 'Authorization: Bearer key' URL`
/// (no header if key is empty).
std::unique_ptr<piped_child> start_curl(nginx_proxy const& ngx, std::string const& target, std::string const& key,
                                        std::filesystem::path const& err_file,
                                        std::vector<std::string> const& extra = {});

} // namespace ssegw::it

// nginx in front of the gateways (deploy/nginx/start as a child) and curl clients read through a pipe.
#include "tests/support/nginx.hpp"

#include "tests/support/temp_dir.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <system_error>

#ifndef SSEGW_SOURCE_DIR
#error "SSEGW_SOURCE_DIR must name the repository's root"
#endif

namespace ssegw::it {
namespace {

// A port that was free a moment ago (bind to :0, read it back, close).
std::uint16_t free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        ::close(s);
        throw std::runtime_error(std::string("bind/getsockname: ") + std::strerror(errno));
    }
    ::close(s);
    return ntohs(a.sin_port);
}

bool executable(std::filesystem::path const& p) { return ::access(p.c_str(), X_OK) == 0; }

std::string cut(std::string const& s, std::size_t max) {
    return s.size() <= max ? s : "…" + s.substr(s.size() - max);
}

} // namespace

std::string find_program(std::string const& name) {
    std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    path += ":/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin";
    std::istringstream dirs(path);
    std::string d;
    while (std::getline(dirs, d, ':')) {
        if (d.empty()) continue;
        auto p = std::filesystem::path(d) / name;
        if (executable(p) && !std::filesystem::is_directory(p)) return p.string();
    }
    return {};
}

std::filesystem::path source_dir() { return SSEGW_SOURCE_DIR; }

std::string curl_binary() { return find_program("curl"); }

std::filesystem::path nginx_start_script() {
    // Another copy of deploy/nginx (a modified config) can be tried against the tests through this variable.
    if (char const* p = std::getenv("SSEGW_NGINX_START"); p && *p) return p;
    return source_dir() / "deploy/nginx/start";
}

// ---- piped_child ----------------------------------------------------------------------------------

piped_child::piped_child(process_options o) : err_file_(o.stderr_file) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    // The child inherits both ends across fork (O_CLOEXEC acts only at exec): the process class opens
    // stdout_file there before it closes every other descriptor, and /dev/fd/N reopens our pipe's write end.
    int w = p[1];
    o.stdout_file = "/dev/fd/" + std::to_string(w);
    try {
        proc_ = std::make_unique<process>(std::move(o));
    } catch (...) {
        ::close(p[0]);
        ::close(w);
        throw;
    }
    ::close(w);  // only the child holds the write end now: EOF when it exits
    fd_ = p[0];
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

piped_child::~piped_child() {
    if (proc_) proc_->kill_now();
    if (fd_ >= 0) ::close(fd_);
}

bool piped_child::read_available() {
    if (eof_) return false;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n > 0) {
            auto now = clock::now();
            out_.append(buf, static_cast<std::size_t>(n));
            partial_.append(buf, static_cast<std::size_t>(n));
            std::size_t start = 0;
            for (std::size_t lf; (lf = partial_.find('\n', start)) != std::string::npos; start = lf + 1) {
                std::string line = partial_.substr(start, lf - start);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                lines_.push_back({std::move(line), now});
            }
            partial_.erase(0, start);
            continue;
        }
        if (n == 0) {
            eof_ = true;
            return false;
        }
        if (errno == EINTR) continue;
        return true;  // EAGAIN: nothing more for now
    }
}

bool piped_child::pump(deadline d) { return pump_any({this}, d); }

bool piped_child::wait_eof(deadline d) {
    while (!eof_)
        if (!pump(d) && !eof_) return false;
    return true;
}

std::optional<timed_line> piped_child::line_starting(std::string const& prefix) const {
    for (auto const& l : lines_)
        if (l.text.rfind(prefix, 0) == 0) return l;
    return std::nullopt;
}

std::size_t piped_child::count_starting(std::string const& prefix) const {
    std::size_t n = 0;
    for (auto const& l : lines_) n += l.text.rfind(prefix, 0) == 0;
    return n;
}

std::string piped_child::err() const { return err_file_.empty() ? std::string() : read_file(err_file_); }

std::string piped_child::describe(std::size_t max) {
    read_available();
    proc_->running();
    return "[" + proc_->path() + ": " + describe_status(proc_->status()) + "] stdout:\n" + cut(out_, max) +
           "\nstderr: " + cut(err(), 1000);
}

bool pump_any(std::vector<piped_child*> const& children, deadline d) {
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<piped_child*> open;
        for (auto* c : children) {
            if (c->eof()) continue;
            fds.push_back({c->fd(), POLLIN, 0});
            open.push_back(c);
        }
        if (fds.empty()) return false;
        int r = ::poll(fds.data(), fds.size(), ms_left(d));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        bool got = false;
        for (std::size_t i = 0; i < fds.size(); ++i)
            if (fds[i].revents) got = open[i]->read_available() || got;
        if (got) return true;
        // Only EOFs this round: report it unless some child is still open.
        bool any_open = false;
        for (auto* c : children) any_open = any_open || !c->eof();
        if (!any_open) return false;
    }
}

// ---- nginx_proxy ----------------------------------------------------------------------------------

nginx_proxy::nginx_proxy(std::filesystem::path const& dir, nginx_options o) {
    if (find_program("nginx").empty())
        throw std::runtime_error("nginx is not installed (not on PATH, /usr/sbin or /sbin): scripts/install-deps "
                                 "installs it; these tests need it and do not skip");
    if (find_program("openssl").empty())
        throw std::runtime_error("openssl is not installed (deploy/nginx/start makes the certificate with it): "
                                 "run scripts/install-deps");
    if (curl_binary().empty()) throw std::runtime_error("curl is not installed: run scripts/install-deps");
    auto script = nginx_start_script();
    if (!executable(script)) throw std::runtime_error(script.string() + " is missing or not executable");
    if (o.upstream_ports.empty()) throw std::invalid_argument("nginx_proxy needs at least one upstream");

    prefix_ = dir / "nginx";
    std::filesystem::create_directories(prefix_);
    // nginx started as root runs its workers as nobody: they must be able to reach the prefix (temp files)
    // and the dashboard, both below the test's private (0700) directory.
    std::filesystem::permissions(dir, std::filesystem::perms::others_exec | std::filesystem::perms::group_exec,
                                 std::filesystem::perm_options::add);
    if (o.dashboard_dir.empty()) {
        o.dashboard_dir = prefix_ / "dashboard";
        std::filesystem::create_directories(o.dashboard_dir);
        write_file(o.dashboard_dir / "index.html", "<!doctype html><title>test</title>\n");
        std::filesystem::permissions(o.dashboard_dir, std::filesystem::perms::owner_all |
                                                          std::filesystem::perms::group_read |
                                                          std::filesystem::perms::group_exec |
                                                          std::filesystem::perms::others_read |
                                                          std::filesystem::perms::others_exec);
        std::filesystem::permissions(o.dashboard_dir / "index.html",
                                     std::filesystem::perms::others_read | std::filesystem::perms::group_read,
                                     std::filesystem::perm_options::add);
    }

    std::string why;
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (try_start(free_port(), o, why)) return;
        // A port taken between free_port() and nginx's bind: try another one.
        if (why.find("Address already in use") == std::string::npos) break;
    }
    throw std::runtime_error(why);
}

bool nginx_proxy::try_start(std::uint16_t port, nginx_options const& o, std::string& why) {
    stop();
    port_ = port;
    out_file_ = prefix_ / ("start-" + std::to_string(port) + ".out");
    process_options po;
    po.path = nginx_start_script().string();
    po.args = {prefix_.string(), std::to_string(port), o.dashboard_dir.string()};
    for (auto p : o.upstream_ports) po.args.push_back("127.0.0.1:" + std::to_string(p));
    po.env = {{"SSEGW_NGINX_READ_TIMEOUT", std::to_string(o.read_timeout_s)}};
    po.stdout_file = out_file_.string();
    po.stderr_file = out_file_.string() + ".err";
    proc_ = std::make_unique<process>(po);

    // Ready once a TLS handshake verifies against its certificate and a request gets an HTTP answer.
    auto probe_out = prefix_ / "probe.out";
    bool up = poll_until(in(15s), [&] {
        if (!proc_->running()) return true;
        if (!std::filesystem::exists(cacert())) return false;
        process_options c;
        c.path = curl_binary();
        c.args = curl_args();
        c.args.insert(c.args.end(), {"-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", url("/healthz")});
        c.stdout_file = probe_out.string();
        process probe(c);
        auto st = probe.wait_until(in(3s));
        auto code = read_file(probe_out);
        return st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0 && !code.empty() && code != "000";
    }, 100ms);
    if (up && proc_->running()) return true;
    why = "nginx (deploy/nginx/start, port " + std::to_string(port) + ") " +
          (proc_->running() ? "accepted no TLS connection within 15 s"
                            : "exited: " + describe_status(proc_->status())) +
          "\n" + log();
    stop();
    return false;
}

void nginx_proxy::stop() {
    if (!proc_) return;
    pid_t pid = proc_->pid();
    if (proc_->running()) {
        // SIGTERM is nginx's fast stop; the master is the leader of its own process group (the process
        // class makes it so), its workers are in it. Wait without reaping so the group id stays ours.
        ::kill(pid, SIGTERM);
        auto d = in(5s);
        for (;;) {
            siginfo_t info{};
            int r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
            if (r == 0 && info.si_pid == pid) break;
            if (r != 0 && errno != EINTR) break;
            if (clock::now() >= d) break;
            std::this_thread::sleep_for(10ms);
        }
    }
    // Workers (or a script's openssl) left behind: end the group (ESRCH if there is nobody left).
    ::kill(-pid, SIGKILL);
    proc_->kill_now();
    proc_.reset();
}

nginx_proxy::~nginx_proxy() { stop(); }

std::string nginx_proxy::url(std::string const& path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
}

std::string nginx_proxy::log() const {
    std::string s = "---- deploy/nginx/start stdout:\n" + cut(read_file(out_file_), 4000) + "\n---- stderr:\n" +
                    cut(read_file(out_file_.string() + ".err"), 4000) + "\n";
    std::error_code ec;
    for (auto const& e : std::filesystem::directory_iterator(prefix_, ec)) {
        if (e.path().extension() == ".log" && e.path().filename() != "access.log")
            s += "---- " + e.path().filename().string() + ":\n" + cut(read_file(e.path()), 4000) + "\n";
    }
    return s;
}

std::vector<std::string> nginx_proxy::curl_args() const { return {"-sS", "--cacert", cacert().string()}; }

std::unique_ptr<piped_child> start_curl(nginx_proxy const& ngx, std::string const& target, std::string const& key,
                                        std::filesystem::path const& err_file, std::vector<std::string> const& extra) {
    process_options o;
    o.path = curl_binary();
    o.args = ngx.curl_args();
    o.args.insert(o.args.end(), {"-N", "-i"});
    o.args.insert(o.args.end(), extra.begin(), extra.end());
    if (!key.empty()) o.args.insert(o.args.end(), {"-H", "Authorization: Bearer " + key});
    o.args.push_back(ngx.url(target));
    o.stderr_file = err_file.string();
    return std::make_unique<piped_child>(std::move(o));
}

} // namespace ssegw::it

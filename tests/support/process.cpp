// A child process for the integration tests: fork/exec with args and env, output to files, never leaked.
#include "tests/support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>

extern char** environ;

namespace ssegw::it {
namespace {

// Opens `file` (or /dev/null) onto `target_fd` in the child; async-signal-safe.
bool redirect(char const* file, int flags, int target_fd) {
    int fd = ::open(file, flags, 0644);
    if (fd < 0) return false;
    if (fd != target_fd) {
        if (::dup2(fd, target_fd) < 0) return false;
        ::close(fd);
    }
    return true;
}

} // namespace

process::process(process_options opts) : opts_(std::move(opts)) {
    // Everything the child needs is built before fork: only async-signal-safe calls after it.
    std::vector<std::string> argv_s;
    argv_s.push_back(opts_.path);
    argv_s.insert(argv_s.end(), opts_.args.begin(), opts_.args.end());
    std::map<std::string, std::string> env_map;
    for (char** e = environ; e && *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        std::string name = kv.substr(0, eq);
        if (name.rfind("SSE_GATEWAY_", 0) == 0) continue;
        env_map[name] = kv.substr(eq + 1);
    }
    for (auto const& [k, v] : opts_.env) env_map[k] = v;
    std::vector<std::string> env_s;
    for (auto const& [k, v] : env_map) env_s.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : env_s) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string in = opts_.stdin_file.empty() ? "/dev/null" : opts_.stdin_file;
    std::string out = opts_.stdout_file.empty() ? "/dev/null" : opts_.stdout_file;
    std::string err = opts_.stderr_file.empty() ? "/dev/null" : opts_.stderr_file;
    pid_t parent = ::getpid();

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        // Die with the test binary, whatever happens to it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(126);
        ::setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        if (!redirect(in.c_str(), O_RDONLY, 0)) ::_exit(125);
        if (!redirect(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 1)) ::_exit(125);
        if (!redirect(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 2)) ::_exit(125);
        // No test socket or Redis connection leaks into the child.
        ::syscall(SYS_close_range, 3u, ~0u, 0u);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
}

process::~process() {
    if (pid_ > 0 && !status_) kill_now();
}

bool process::running() {
    if (pid_ <= 0 || status_) return false;
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = st;
        return false;
    }
    return true;
}

void process::signal(int sig) {
    if (running()) ::kill(pid_, sig);
}

std::optional<int> process::wait_until(deadline d) {
    poll_until(d, [&] { return !running(); }, 5ms);
    return status_;
}

void process::stop(clock::duration grace) {
    if (!running()) return;
    ::kill(pid_, SIGTERM);
    if (wait_until(clock::now() + grace)) return;
    kill_now();
}

void process::kill_now() {
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {}
    status_ = st;
}

std::string describe_status(std::optional<int> status) {
    if (!status) return "still running";
    if (WIFEXITED(*status)) return "exit " + std::to_string(WEXITSTATUS(*status));
    if (WIFSIGNALED(*status)) return "signal " + std::to_string(WTERMSIG(*status));
    return "status " + std::to_string(*status);
}

} // namespace ssegw::it

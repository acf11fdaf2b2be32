#include "common/fd_limit.hpp"

#include "common/log.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ssegw {

fd_limits raise_fd_limit() {
    fd_limits out;
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) != 0) {
        out.error = std::strerror(errno);
        return out;
    }
    out.soft_before = out.soft = r.rlim_cur;
    out.hard = r.rlim_max;
    auto target = r.rlim_max;
    // An unlimited hard limit is not a value setrlimit takes for the soft one: the kernel's own
    // ceiling (fs.nr_open) is.
    if (target == RLIM_INFINITY) {
        std::uint64_t nr_open = 1048576;
        std::ifstream("/proc/sys/fs/nr_open") >> nr_open;
        target = nr_open;
    }
    if (r.rlim_cur >= target) return out;
    r.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &r) != 0) {
        out.error = std::strerror(errno);
        return out;
    }
    out.soft = target;
    return out;
}

fd_limits raise_and_log_fd_limit(std::uint64_t connections, std::string const& flag) {
    auto l = raise_fd_limit();
    if (!l.error.empty())
        log::warn("could not raise the descriptor limit", {{"error", l.error}, {"soft", l.soft}, {"hard", l.hard}});
    log::info("descriptor limit", {{"softBefore", l.soft_before}, {"soft", l.soft}, {"hard", l.hard}});
    if (connections + fd_overhead > l.soft) {
        auto room = l.soft > fd_overhead ? l.soft - fd_overhead : 0;
        log::warn(flag + " exceeds what the descriptor limit allows: connections beyond it are refused (raise "
                         "LimitNOFILE / ulimit -n)",
                  {{flag.substr(2), connections}, {"fdLimit", l.soft}, {"connectionsPossible", room}});
    }
    return l;
}

} // namespace ssegw

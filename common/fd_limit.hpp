// The process's open-file limit: raised at start from the soft to the hard RLIMIT_NOFILE (every
// client stream is one descriptor), and how many streams that leaves room for.
#pragma once

#include <cstdint>
#include <string>

namespace ssegw {

struct fd_limits {
    std::uint64_t soft_before = 0;  // as the process was started
    std::uint64_t soft = 0;         // now
    std::uint64_t hard = 0;
    std::string error;              // why raising failed ("" when it did not)
};

/// Raises the soft RLIMIT_NOFILE to the hard one (capped at what the kernel takes: fs.nr_open).
fd_limits raise_fd_limit();

/// raise_fd_limit(), logged ("descriptor limit": the soft limit before and after, the hard one),
/// with a warning when `connections` (the value of `flag`) and fd_overhead do not fit in it.
fd_limits raise_and_log_fd_limit(std::uint64_t connections, std::string const& flag);

/// Descriptors a service keeps besides its clients' (listeners, Redis connections, epoll and
/// eventfds per thread, log, reserve): what `--max-connections` should leave free.
inline constexpr std::uint64_t fd_overhead = 64;

} // namespace ssegw

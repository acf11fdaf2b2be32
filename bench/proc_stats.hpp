// CPU seconds and resident memory of the processes under test, read from /proc, and of this
// process: how sse-bench reports server cost and tells which side saturated.
#pragma once

#include <vector>

namespace ssegw::bench {

struct proc_sample {
    double cpu_s = 0;   // user + system, summed over the processes
    long rss_kib = 0;   // VmRSS, summed
    bool ok = true;     // every process was readable
};

/// Sums over `pids`; a pid that is gone makes ok false.
proc_sample sample_processes(std::vector<int> const& pids);
/// This process's user + system CPU seconds (all threads).
double self_cpu_seconds();

} // namespace ssegw::bench

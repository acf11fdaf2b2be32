#include "bench/proc_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace ssegw::bench {

proc_sample sample_processes(std::vector<int> const& pids) {
    proc_sample s;
    static long const ticks = sysconf(_SC_CLK_TCK);
    for (int pid : pids) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string text;
        if (!std::getline(stat, text)) {
            s.ok = false;
            continue;
        }
        // The command name may hold spaces and parentheses: fields are counted after the last ')'.
        std::istringstream rest(text.substr(text.rfind(')') + 2));
        std::string field;
        unsigned long utime = 0, stime = 0;
        for (int i = 3; i <= 15 && rest >> field; ++i) {
            if (i == 14) utime = std::stoul(field);
            if (i == 15) stime = std::stoul(field);
        }
        s.cpu_s += static_cast<double>(utime + stime) / static_cast<double>(ticks);
        std::ifstream status("/proc/" + std::to_string(pid) + "/status");
        for (std::string line; std::getline(status, line);)
            if (line.rfind("VmRSS:", 0) == 0) s.rss_kib += std::stol(line.substr(6));
    }
    return s;
}

double self_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto secs = [](timeval tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    return secs(ru.ru_utime) + secs(ru.ru_stime);
}

} // namespace ssegw::bench

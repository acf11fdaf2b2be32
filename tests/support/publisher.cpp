// Publishing results through the real sse-publish binary.
#include "tests/support/publisher.hpp"

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <sys/wait.h>

#include <atomic>
#include <sstream>
#include <stdexcept>

#ifndef SSEGW_PUBLISH_BIN
#error "SSEGW_PUBLISH_BIN must name the sse-publish binary"
#endif

namespace ssegw::it {

std::string publish_binary() { return SSEGW_PUBLISH_BIN; }

log_ids publisher::publish(std::string const& user, std::string const& device, std::string const& json) const {
    return run({"--redis", url_, "--user", user, "--device", device, json}, {}, 1).at(0);
}

std::vector<log_ids> publisher::publish_many(std::string const& user, std::string const& device,
                                             std::vector<std::string> const& jsons) const {
    std::string in;
    for (auto const& j : jsons) in += j + "\n";
    return run({"--redis", url_, "--user", user, "--device", device}, in, jsons.size());
}

std::vector<log_ids> publisher::run(std::vector<std::string> args, std::string const& stdin_data,
                                    std::size_t expected) const {
    static std::atomic<int> seq{0};
    auto tag = "publish-" + std::to_string(++seq);
    process_options o;
    o.path = publish_binary();
    o.args = std::move(args);
    o.stdout_file = (dir_ / (tag + ".out")).string();
    o.stderr_file = (dir_ / (tag + ".err")).string();
    if (!stdin_data.empty()) {
        o.stdin_file = (dir_ / (tag + ".in")).string();
        write_file(o.stdin_file, stdin_data);
    }
    process p(o);
    auto st = p.wait_until(in(15s));
    auto out = read_file(o.stdout_file);
    auto err = read_file(o.stderr_file);
    if (!st || !WIFEXITED(*st) || WEXITSTATUS(*st) != 0)
        throw std::runtime_error("sse-publish failed (" + describe_status(st) + "); stdout: '" + out +
                                 "' stderr: '" + err + "'");
    std::vector<log_ids> ids;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        std::istringstream f(line);
        log_ids id;
        if (!(f >> id.device_id >> id.user_id))
            throw std::runtime_error("sse-publish printed an unexpected line: '" + line + "'");
        ids.push_back(std::move(id));
    }
    if (ids.size() != expected)
        throw std::runtime_error("sse-publish printed " + std::to_string(ids.size()) + " id lines, expected " +
                                 std::to_string(expected) + "; stdout: '" + out + "' stderr: '" + err + "'");
    return ids;
}

} // namespace ssegw::it

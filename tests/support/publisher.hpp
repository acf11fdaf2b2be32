// Publishing results through the real sse-publish binary (the producer path the gateway expects).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ssegw::it {

/// Path of the built sse-publish (SSEGW_PUBLISH_BIN).
std::string publish_binary();

struct log_ids {
    std::string device_id;  // entry id in analysis:device:<device>:log (the device stream's SSE id)
    std::string user_id;    // entry id in analysis:user:<user>:log (the all-stream's SSE id)
};

class publisher {
public:
    publisher(std::filesystem::path dir, std::string redis_url)
        : dir_(std::move(dir)), url_(std::move(redis_url)) {}

    /// `sse-publish --redis URL --user U --device D '<json>'`; throws std::runtime_error (with stderr)
    /// unless it exits 0 within 15 s printing "<deviceLogId> <userLogId>".
    log_ids publish(std::string const& user, std::string const& device, std::string const& json) const;
    /// Bulk: the JSON lines on stdin, one id line back per result.
    std::vector<log_ids> publish_many(std::string const& user, std::string const& device,
                                      std::vector<std::string> const& jsons) const;

private:
    std::vector<log_ids> run(std::vector<std::string> args, std::string const& stdin_data,
                             std::size_t expected) const;

    std::filesystem::path dir_;
    std::string url_;
};

} // namespace ssegw::it

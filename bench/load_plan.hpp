// Who streams what: the deterministic mapping from stream number to device or user, the names
// seeded in Redis, and the HTTP request each stream sends to each kind of target.
#pragma once

#include "bench/options.hpp"

#include <string>

namespace ssegw::bench {

struct stream_spec {
    int device = -1;  // -1: an all-stream of `user`
    int user = 0;
};

class load_plan {
public:
    explicit load_plan(options const& o) : o_(o) {}

    int user_of(int device) const { return device % o_.users; }
    std::string device_name(int d) const { return o_.prefix + "-d" + std::to_string(d); }
    std::string user_name(int u) const { return o_.prefix + "-u" + std::to_string(u); }
    /// The API key the bench seeds for user u (the gateway stores only its SHA-256).
    std::string key(int u) const { return o_.prefix + "-key-" + std::to_string(u) + "-sse-bench"; }

    /// all_ratio of the streams, spread evenly, follow a user; the rest a device.
    stream_spec stream(int j) const;
    /// The request stream j sends; with a Last-Event-ID when resuming.
    std::string request(int j, std::string const& last_event_id) const;
    /// nchan and baseline: where a result of device d is POSTed (its device and user channels).
    std::string publish_path(int d) const;

private:
    options const& o_;
};

} // namespace ssegw::bench

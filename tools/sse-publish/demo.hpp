// The --demo mode of sse-publish: seeds a demo user (API key, devices), then publishes a steady
// stream of realistic synthetic results for it, so dashboards and `curl -N` have something to show,
// and every few seconds a platform event (alert, device offline/online, quota warning) for its webhook.
#pragma once

#include "common/redis/url.hpp"

#include <cstdint>
#include <string>

namespace ssegw::publish {

struct demo_options {
    redis::endpoint redis;
    std::string user = "demo-user";
    std::string key;          // empty: a random sk_demo_ key
    unsigned devices = 3;
    std::uint64_t count = 0;  // results to publish; 0: until SIGINT/SIGTERM
    double rate = 2.0;        // results per second, round-robin over the devices
    unsigned maxlen = 1000;
    bool verbose = false;     // one stderr line per publish
};

/// Seeds Redis, prints `key=`, `user=`, `devices=` lines on stdout, then publishes results and,
/// every 3 s from 3 s after the start, a webhook event through the --event path (publish_one_event).
/// Returns the process exit code: 0 after --count results or on SIGINT/SIGTERM, 1 if seeding fails.
int run_demo(demo_options const& opt);

} // namespace ssegw::publish

// What every connection of one HTTP service shares: its routes, its CORS origins, its request
// deadline, how it counts refusals, and whether it is draining. Built once before the service
// listens; read-only afterwards except `draining`.
#pragma once

#include "common/http/api_error.hpp"
#include "common/http/route_table.hpp"
#include "common/net.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ssegw::web {

struct site {
    route_table routes;
    std::vector<std::string> cors_origins;  // "*" allowed; empty: no CORS headers at all
    std::chrono::steady_clock::duration header_timeout = std::chrono::seconds(10);
    std::string realm = "sse-gateway";     // of WWW-Authenticate on a 401
    std::function<void(error_kind)> count_refusal = [](error_kind) {};
    std::atomic<bool> draining{false};

    /// Access-Control-Allow-Origin (and Vary) for a request from `origin`, when allowed.
    void add_cors(http::fields& f, std::string_view origin) const;
};

} // namespace ssegw::web

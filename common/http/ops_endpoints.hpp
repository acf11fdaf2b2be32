// The operations endpoints every service serves: /healthz (the process answers), /readyz (it can do
// its job now: dependencies up, not draining) and /metrics (Prometheus text). Readiness and metrics
// are computed on the service's control thread and answered on the connection's.
#pragma once

#include "common/http/route_table.hpp"
#include "common/net.hpp"

#include <functional>
#include <string>

namespace ssegw::web {

struct ops_probes {
    /// `done(ready, why)` on `reply_to`.
    std::function<void(net::any_io_executor reply_to, std::function<void(bool, std::string)> done)> readiness;
    /// `done(text)` on `reply_to`.
    std::function<void(net::any_io_executor reply_to, std::function<void(std::string)> done)> metrics;
};

void add_ops_routes(route_table& routes, ops_probes probes);

} // namespace ssegw::web

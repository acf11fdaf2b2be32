// The webhook management API (one webhook per user: create, read, change, delete, reveal and
// rotate its secret, send a test request, its delivery log, and the event catalogue), as routes
// of the gateway's route table. Handlers run on the worker that read the request and reach Redis
// through the bridge.
#pragma once

#include "common/http/route_table.hpp"
#include "webhooks/api/api_context.hpp"

namespace ssegw::webhooks {

class management_api {
public:
    /// `send_on`: the one executor (a strand) test requests are sent from; see api_context.
    management_api(management_settings settings, redis::bridge& redis, std::atomic<bool> const& draining,
                   metrics::registry& registry, net::any_io_executor send_on)
        : ctx_(std::move(settings), redis, draining, registry, send_on) {}

    /// The routes hold this object: it must outlive the route table's use.
    void add_routes(web::route_table& routes);

private:
    api_context ctx_;
};

} // namespace ssegw::webhooks

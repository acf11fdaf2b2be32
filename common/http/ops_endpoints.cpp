#include "common/http/ops_endpoints.hpp"

#include "common/http/exchange.hpp"

#include <memory>

namespace ssegw::web {

void add_ops_routes(route_table& routes, ops_probes probes) {
    auto p = std::make_shared<ops_probes>(std::move(probes));
    routes.add("/healthz", "GET, HEAD", "", [](exchange& ex, path_params const&) {
        ex.respond(ex.make_response(http::status::ok, "text/plain; charset=utf-8", "ok\n"));
    });
    routes.add("/readyz", "GET, HEAD", "", [p](exchange& ex, path_params const&) {
        p->readiness(ex.executor(), [self = ex.hold()](bool ok, std::string why) {
            self->respond(self->make_response(ok ? http::status::ok : http::status::service_unavailable,
                                              "text/plain; charset=utf-8", ok ? "ready\n" : why + "\n"));
        });
    });
    routes.add("/metrics", "GET, HEAD", "", [p](exchange& ex, path_params const&) {
        p->metrics(ex.executor(), [self = ex.hold()](std::string text) {
            self->respond(self->make_response(http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                                              std::move(text)));
        });
    });
}

} // namespace ssegw::web

// The stream service's routes: the two stream paths (GET/HEAD/OPTIONS) and stream tickets
// (POST/OPTIONS). A stream request is checked here (credential, Last-Event-ID), decided on the
// control thread (stream_services::open_stream), then its connection becomes an sse_session on
// the worker that accepted it.
#pragma once

#include "common/http/route_table.hpp"

namespace ssegw::gateway {

void add_stream_routes(web::route_table& routes);

} // namespace ssegw::gateway

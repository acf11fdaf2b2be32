// What a stream request asks for beyond its path: the credential and resume point a browser's
// EventSource can only put in the query. Pure.
#pragma once

#include "common/http/target.hpp"

#include <optional>
#include <string>

namespace ssegw::gateway {

struct stream_query {
    std::optional<std::string> access_token;   // ?access_token=
    std::optional<std::string> ticket;         // ?ticket= (a stream ticket, in place of a key)
    std::optional<std::string> last_event_id;  // ?lastEventId=
};

stream_query read_stream_query(web::target const& t);

} // namespace ssegw::gateway

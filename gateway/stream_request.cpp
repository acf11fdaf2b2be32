#include "gateway/stream_request.hpp"

namespace ssegw::gateway {

stream_query read_stream_query(web::target const& t) {
    return {t.param("access_token"), t.param("ticket"), t.param("lastEventId")};
}

} // namespace ssegw::gateway

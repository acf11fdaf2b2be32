#include "gateway/stream_request.hpp"

namespace ssegw::gateway {
namespace {

constexpr std::size_t max_device_id = 200;

} // namespace

stream_query read_stream_query(web::target const& t) {
    return {t.param("access_token"), t.param("ticket"), t.param("lastEventId")};
}

bool valid_device_id(std::string const& id) {
    if (id.empty() || id.size() > max_device_id) return false;
    for (unsigned char c : id)
        if (c < 0x21 || c == 0x7f) return false;  // no controls or spaces: ids end up in channel names
    return true;
}

} // namespace ssegw::gateway

#include "gateway/router.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <vector>

namespace ssegw::gateway {
namespace {

constexpr std::size_t max_device_id = 200;

} // namespace

bool valid_device_id(std::string const& id) {
    if (id.empty() || id.size() > max_device_id) return false;
    for (unsigned char c : id)
        if (c < 0x21 || c == 0x7f) return false;  // no controls or spaces: ids end up in channel names
    return true;
}

route parse_target(std::string_view target) {
    route r;
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) {
        r.kind = route_kind::bad_target;
        return r;
    }
    auto const& u = *parsed;
    std::vector<std::string> segs;
    for (auto s : u.segments()) segs.push_back(std::string(s));  // decoded
    // Trailing slash: "/a/b/" has an empty last segment; treat as the same path.
    if (!segs.empty() && segs.back().empty()) segs.pop_back();

    for (auto p : u.params()) {  // decoded
        if (p.key == "access_token" && !r.access_token) r.access_token = std::string(p.value);
        else if (p.key == "lastEventId" && !r.last_event_id) r.last_event_id = std::string(p.value);
        else if (p.key == "ticket" && !r.ticket) r.ticket = std::string(p.value);
    }

    if (segs.size() == 1 && segs[0] == "healthz") r.kind = route_kind::healthz;
    else if (segs.size() == 1 && segs[0] == "readyz") r.kind = route_kind::readyz;
    else if (segs.size() == 1 && segs[0] == "metrics") r.kind = route_kind::metrics;
    else if (segs.size() == 6 && segs[0] == "api" && segs[1] == "v1" && segs[2] == "devices" &&
             segs[3] == "analysis" && segs[4] == "stream" && segs[5] == "all")
        r.kind = route_kind::all_stream;
    else if (segs.size() == 3 && segs[0] == "api" && segs[1] == "v1" && segs[2] == "stream-tickets")
        r.kind = route_kind::stream_tickets;
    else if (segs.size() == 6 && segs[0] == "api" && segs[1] == "v1" && segs[2] == "devices" &&
             segs[4] == "analysis" && segs[5] == "stream" && valid_device_id(segs[3])) {
        r.kind = route_kind::device_stream;
        r.device_id = segs[3];
    }
    return r;
}

std::string redact_target(std::string_view target) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) return "(unparsable)";
    boost::urls::url u(*parsed);
    auto params = u.params();
    for (auto it = params.begin(); it != params.end(); ++it)
        if ((*it).key == "access_token" || (*it).key == "ticket") it = params.replace(it, {(*it).key, "REDACTED"});
    return std::string(u.buffer());
}

bool accepts_event_stream(std::string_view accept) {
    constexpr std::string_view wanted = "text/event-stream";
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i + wanted.size() <= accept.size(); ++i) {
        std::size_t k = 0;
        while (k < wanted.size() && lower(accept[i + k]) == wanted[k]) ++k;
        if (k == wanted.size()) return true;
    }
    return false;
}

} // namespace ssegw::gateway

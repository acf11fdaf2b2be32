#include "bench/load_plan.hpp"

#include <cmath>

namespace ssegw::bench {

stream_spec load_plan::stream(int j) const {
    // Ordinals within each kind, so all-streams spread over the users and device streams over
    // the devices whatever the ratio.
    auto const f = o_.all_ratio;
    int const all_before = static_cast<int>(std::floor(j * f));
    if (std::floor((j + 1) * f) > all_before) return {-1, all_before % o_.users};
    int const d = (j - all_before) % o_.devices;
    return {d, user_of(d)};
}

std::string load_plan::request(int j, std::string const& last_event_id) const {
    auto const s = stream(j);
    std::string path;
    std::string auth;
    if (o_.target == target_kind::gateway) {
        path = s.device < 0 ? "/api/v1/devices/analysis/stream/all"
                            : "/api/v1/devices/" + device_name(s.device) + "/analysis/stream";
        auth = "Authorization: Bearer " + key(s.user) + "\r\n";
    } else {
        path = "/sub/" + (s.device < 0 ? user_name(s.user) : device_name(s.device));
    }
    std::string r = "GET " + path + " HTTP/1.1\r\nHost: " + o_.host + "\r\nAccept: text/event-stream\r\n" + auth;
    if (!last_event_id.empty()) r += "Last-Event-ID: " + last_event_id + "\r\n";
    return r + "\r\n";
}

std::string load_plan::publish_path(int d) const {
    return "/pub/" + device_name(d) + "/" + user_name(user_of(d));
}

} // namespace ssegw::bench

#include "common/http/route_table.hpp"

namespace ssegw::web {
namespace {

bool is_param(std::string const& segment) { return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}'; }

} // namespace

void route_table::add(std::string_view pattern, std::string methods, std::string preflight_headers, handler serve) {
    route r;
    // Patterns are ours and plain ("/a/{b}/c"): no escapes to decode.
    while (!pattern.empty()) {
        pattern.remove_prefix(pattern.front() == '/' ? 1 : 0);
        auto slash = pattern.find('/');
        std::string segment(pattern.substr(0, slash));
        if (!segment.empty()) r.pattern.push_back(is_param(segment) ? "{}" : std::move(segment));
        pattern = slash == std::string_view::npos ? std::string_view() : pattern.substr(slash);
    }
    r.methods = std::move(methods);
    r.preflight_headers = std::move(preflight_headers);
    r.serve = std::move(serve);
    routes_.push_back(std::move(r));
}

std::optional<route_table::match> route_table::find(target const& t) const {
    for (auto const& r : routes_) {
        if (r.pattern.size() != t.segments.size()) continue;
        match m{&r, {}};
        bool ok = true;
        for (std::size_t i = 0; ok && i < r.pattern.size(); ++i) {
            if (r.pattern[i] == "{}") {
                ok = !t.segments[i].empty();
                m.params.push_back(t.segments[i]);
            } else {
                ok = r.pattern[i] == t.segments[i];
            }
        }
        if (ok) return m;
    }
    return std::nullopt;
}

bool route_table::allows(std::string_view methods, std::string_view method) {
    while (!methods.empty()) {
        auto comma = methods.find(',');
        auto item = methods.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        if (item == method) return true;
        if (comma == std::string_view::npos) break;
        methods.remove_prefix(comma + 1);
    }
    return false;
}

} // namespace ssegw::web

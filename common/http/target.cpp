#include "common/http/target.hpp"

#include "common/ascii.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>

namespace ssegw::web {

std::optional<std::string> target::param(std::string_view key) const {
    for (auto const& [k, v] : query)
        if (k == key) return v;
    return std::nullopt;
}

std::optional<target> parse_target(std::string_view t) {
    auto parsed = boost::urls::parse_origin_form(t);
    if (!parsed) return std::nullopt;
    target r;
    for (auto s : parsed->segments()) r.segments.emplace_back(s);
    if (!r.segments.empty() && r.segments.back().empty()) r.segments.pop_back();
    for (auto p : parsed->params()) r.query.emplace_back(std::string(p.key), std::string(p.value));
    return r;
}

std::string redact_target(std::string_view t) {
    auto parsed = boost::urls::parse_origin_form(t);
    if (!parsed) return "(unparsable)";
    boost::urls::url u(*parsed);
    auto params = u.params();
    for (auto it = params.begin(); it != params.end(); ++it) {
        auto key = (*it).key;
        if (std::find(secret_params.begin(), secret_params.end(), key) != secret_params.end())
            it = params.replace(it, {key, "REDACTED"});
    }
    return std::string(u.buffer());
}

bool accepts_event_stream(std::string_view accept) { return ascii::icontains(accept, "text/event-stream"); }

} // namespace ssegw::web

// Which handler serves a path: a table of path patterns, each with the methods it takes and the
// headers a CORS preflight may ask for. A service adds an endpoint with one add() call.
#pragma once

#include "common/http/target.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssegw::web {

class exchange;

/// Path parameters, in pattern order ("{name}" segments), percent-decoded.
using path_params = std::vector<std::string>;
using handler = std::function<void(exchange&, path_params const&)>;

struct route {
    std::vector<std::string> pattern;  // literal segments, or "{…}" for any one non-empty segment
    std::string methods;               // the Allow list, e.g. "GET, HEAD, OPTIONS"
    std::string preflight_headers;     // Access-Control-Allow-Headers answered to OPTIONS
    handler serve;
};

class route_table {
public:
    /// `pattern` like "/api/v1/devices/{deviceId}/analysis/stream". The first added match wins.
    void add(std::string_view pattern, std::string methods, std::string preflight_headers, handler serve);

    struct match {
        route const* r = nullptr;
        path_params params;
    };
    std::optional<match> find(target const& t) const;

    /// Whether `method` (e.g. "GET") is one of the comma-separated `methods`.
    static bool allows(std::string_view methods, std::string_view method);

private:
    std::vector<route> routes_;
};

} // namespace ssegw::web

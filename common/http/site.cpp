#include "common/http/site.hpp"

namespace ssegw::web {

void site::add_cors(http::fields& f, std::string_view origin) const {
    for (auto const& o : cors_origins) {
        if (o == "*") {
            f.set(http::field::access_control_allow_origin, "*");
            return;
        }
        if (!origin.empty() && o == origin) {
            f.set(http::field::access_control_allow_origin, origin);
            f.set(http::field::vary, "Origin");
            return;
        }
    }
}

} // namespace ssegw::web

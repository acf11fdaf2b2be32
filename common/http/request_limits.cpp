#include "common/http/request_limits.hpp"

#include "common/ascii.hpp"

namespace ssegw::web {

std::string framing_problem(http::request<http::string_body> const& req) {
    auto lengths = req.count(http::field::content_length);
    if (lengths > 1 || (lengths == 1 && req[http::field::content_length].find(',') != std::string_view::npos))
        return "repeated Content-Length";
    auto codings = req.count(http::field::transfer_encoding);
    if (codings > 1 || (codings == 1 && !ascii::iequals(req[http::field::transfer_encoding], "chunked")))
        return "unsupported Transfer-Encoding";
    if ((req.method() == http::verb::get || req.method() == http::verb::head) && (codings > 0 || !req.body().empty()))
        return "GET and HEAD requests take no body";
    return {};
}

} // namespace ssegw::web

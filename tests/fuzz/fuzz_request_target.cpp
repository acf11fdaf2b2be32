// Request targets as the gateway sees them (the bytes after the method in the request line):
// parse_target and the gateway's route table (route, ?access_token=, ?lastEventId=) and
// redact_target (what reaches the logs).
//
// Invariants:
//  - neither throws nor crashes; both agree on what is unparsable;
//  - ?ticket= (when the router has it) behaves as access_token: parsed, and REDACTED in logs;
//  - only the device stream route has a path parameter (the device id), never empty; the id
//    the stream endpoint accepts (ids::valid_device_id) is 1..200 bytes with no controls or spaces;
//  - redact_target's output is exactly the input with the value of every access_token/ticket
//    parameter (key compared decoded, as the gateway does) replaced by REDACTED, everything else
//    byte for byte; it parses again, routes the same, and its secret parameters all read REDACTED;
//  - no secret value (decoded or as sent) appears in the output, unless the same bytes occur in
//    a part of the target that is not a secret (then the output cannot help containing them).
#include "common/http/ops_endpoints.hpp"
#include "common/http/route_table.hpp"
#include "common/http/target.hpp"
#include "gateway/stream_endpoints.hpp"
#include "common/ids/device_id.hpp"
#include "gateway/stream_request.hpp"
#include "gateway/ticket_rules.hpp"
#include "tests/support/fuzz_check.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace ssegw::gateway;
using ssegw::fuzz::printable;

namespace {

bool is_secret_key(std::string_view k) { return k == "access_token" || k == "ticket"; }

// The gateway's routes as the server registers them (handlers never called here).
ssegw::web::route_table const& routes() {
    static ssegw::web::route_table const table = [] {
        ssegw::web::route_table t;
        add_stream_routes(t);
        ssegw::web::add_ops_routes(t, {});
        return t;
    }();
    return table;
}

// What the gateway reads from a target: whether it parses, the route (nullptr: 404) with its path
// parameters, and the stream query.
struct routed {
    bool bad_target = true;
    ssegw::web::route const* r = nullptr;
    ssegw::web::path_params params;
    stream_query q;
};

routed route_of(std::string_view target) {
    routed out;
    auto t = ssegw::web::parse_target(target);
    if (!t) return out;
    out.bad_target = false;
    if (auto m = routes().find(*t)) {
        out.r = m->r;
        out.params = std::move(m->params);
    }
    out.q = read_stream_query(*t);
    return out;
}

bool is_device_route(ssegw::web::route const* r) {
    static std::vector<std::string> const device = {"api", "v1", "devices", "{}", "analysis", "stream"};
    return r && r->pattern == device;
}

void check_target(std::string_view target) {
    routed r = route_of(target);
    std::string red = ssegw::web::redact_target(target);
    auto parsed = boost::urls::parse_origin_form(target);

    FUZZ_CHECK(r.bad_target == !parsed, printable(target));
    if (!parsed) {
        FUZZ_CHECK(red == "(unparsable)", printable(red));
        return;
    }
    if (is_device_route(r.r)) {
        FUZZ_CHECK(r.params.size() == 1 && !r.params[0].empty(), printable(target));
        auto const& id = r.params[0];
        bool ok = !id.empty() && id.size() <= 200;
        for (unsigned char c : id) ok = ok && c > 0x20 && c != 0x7f;
        FUZZ_CHECK(ssegw::ids::valid_device_id(id) == ok, printable(id));
    } else {
        FUZZ_CHECK(r.params.empty(), printable(target));
    }

    // The expected redaction, built from the encoded parameters.
    auto const u = *parsed;
    std::string expected(u.encoded_path());
    std::vector<std::string> secrets;      // decoded and encoded secret values
    std::string masked(u.encoded_path());  // the target with secret values cut out
    if (u.has_query()) {
        expected += '?';
        masked += '?';
        auto enc = u.encoded_params();
        auto dec = u.params();
        FUZZ_CHECK(enc.size() == dec.size(), printable(target));
        auto e = enc.begin();
        bool first = true;
        for (auto d = dec.begin(); d != dec.end(); ++d, ++e) {
            auto ep = *e;
            auto dp = *d;
            if (!first) {
                expected += '&';
                masked += '&';
            }
            first = false;
            if (is_secret_key(dp.key)) {
                expected += dp.key;
                expected += "=REDACTED";
                masked += std::string(std::string_view(ep.key)) + "=" + std::string(1, '\0');
                if (dp.has_value) {
                    secrets.emplace_back(dp.value);
                    secrets.emplace_back(std::string_view(ep.value));
                }
            } else {
                std::string raw(std::string_view(ep.key));
                if (ep.has_value) raw += '=' + std::string(std::string_view(ep.value));
                expected += raw;
                masked += raw;
            }
        }
    }
    FUZZ_CHECK(red == expected, "target " + printable(target) + "\n   redacted " + printable(red) + "\n   expected " + printable(expected));

    // The redacted target is still a target, routes the same, and every secret reads REDACTED.
    auto again = boost::urls::parse_origin_form(red);
    FUZZ_CHECK(again.has_value(), printable(red));
    for (auto p : again->params())
        if (is_secret_key(p.key)) FUZZ_CHECK(p.has_value && p.value == "REDACTED", printable(red));
    routed r2 = route_of(red);
    FUZZ_CHECK(!r2.bad_target && r2.r == r.r && r2.params == r.params && r2.q.last_event_id == r.q.last_event_id,
               printable(red));
    FUZZ_CHECK(r2.q.access_token.has_value() == r.q.access_token.has_value(), printable(red));
    if (r.q.access_token) FUZZ_CHECK(*r2.q.access_token == "REDACTED", printable(red));
    FUZZ_CHECK(r2.q.ticket.has_value() == r.q.ticket.has_value(), printable(red));
    if (r.q.ticket) FUZZ_CHECK(*r2.q.ticket == "REDACTED", printable(red));
    if (r.q.ticket) (void)well_formed_ticket(*r.q.ticket);

    // No leak, stated directly. A value made only of bytes that occur in non-secret parts (or in
    // the REDACTED/key text) may legitimately appear; separators bound every token of the output.
    for (auto const& s : secrets) {
        if (s.empty() || s.find_first_of("&=?/#") != std::string::npos) continue;
        if (std::string_view("REDACTED").find(s) != std::string_view::npos) continue;
        if (std::string_view("access_token").find(s) != std::string_view::npos) continue;
        if (std::string_view("ticket").find(s) != std::string_view::npos) continue;
        if (masked.find(s) != std::string::npos) continue;
        FUZZ_CHECK(red.find(s) == std::string::npos, "secret " + printable(s) + " in " + printable(red));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view in(reinterpret_cast<char const*>(data), size);
    check_target(in);
    // The same bytes as the query of a stream path: most of the attack surface is the query.
    if (in.empty() || in.front() != '/') {
        std::string t = "/api/v1/devices/analysis/stream/all?";
        t.append(in);
        check_target(t);
    }
    return 0;
}

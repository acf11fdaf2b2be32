// Request targets as the gateway sees them (the bytes after the method in the request line):
// parse_target (route, ?access_token=, ?lastEventId=) and redact_target (what reaches the logs).
//
// Invariants:
//  - neither throws nor crashes; both agree on what is unparsable;
//  - ?ticket= (when the router has it) behaves as access_token: parsed, and REDACTED in logs;
//  - a device_stream route has a 1..200 byte device id with no controls or spaces;
//  - redact_target's output is exactly the input with the value of every access_token/ticket
//    parameter (key compared decoded, as the gateway does) replaced by REDACTED, everything else
//    byte for byte; it parses again, routes the same, and its secret parameters all read REDACTED;
//  - no secret value (decoded or as sent) appears in the output, unless the same bytes occur in
//    a part of the target that is not a secret (then the output cannot help containing them).
#include "gateway/router.hpp"
#include "gateway/ticket_rules.hpp"
#include "tests/support/fuzz_check.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace ssegw::gateway;
using ssegw::fuzz::printable;

namespace {

bool is_secret_key(std::string_view k) { return k == "access_token" || k == "ticket"; }

void check_target(std::string_view target) {
    route r = parse_target(target);
    std::string red = redact_target(target);
    auto parsed = boost::urls::parse_origin_form(target);

    FUZZ_CHECK((r.kind == route_kind::bad_target) == !parsed, printable(target));
    if (!parsed) {
        FUZZ_CHECK(red == "(unparsable)", printable(red));
        return;
    }
    if (r.kind == route_kind::device_stream) {
        FUZZ_CHECK(!r.device_id.empty() && r.device_id.size() <= 200, printable(r.device_id));
        for (unsigned char c : r.device_id) FUZZ_CHECK(c > 0x20 && c != 0x7f, printable(r.device_id));
    } else {
        FUZZ_CHECK(r.device_id.empty(), printable(r.device_id));
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
    route r2 = parse_target(red);
    FUZZ_CHECK(r2.kind == r.kind && r2.device_id == r.device_id && r2.last_event_id == r.last_event_id, printable(red));
    FUZZ_CHECK(r2.access_token.has_value() == r.access_token.has_value(), printable(red));
    if (r.access_token) FUZZ_CHECK(*r2.access_token == "REDACTED", printable(red));
    FUZZ_CHECK(r2.ticket.has_value() == r.ticket.has_value(), printable(red));
    if (r.ticket) FUZZ_CHECK(*r2.ticket == "REDACTED", printable(red));
    if (r.ticket) (void)well_formed_ticket(*r.ticket);

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

// The request headers the gateway interprets: Authorization (bearer_token), Last-Event-ID
// (parse_event_id) and Accept (the event-stream check of http_session.cpp). The input is split
// on LF into those three values (LF cannot occur in a header value); each function also gets
// the whole input. The three values are then sent through Beast's request parser, with the
// gateway's limits, as a request, and read back the way http_session reads them.
//
// Invariants:
//  - bearer_token: a token is non-empty, a substring of the header, holds no space and does not
//    end in SP/HTAB; the header (after leading SP/HTAB) starts with "bearer " in any case;
//    "Bearer <t>" gives back t for any t that is non-empty, space-free and not ending in HTAB;
//  - parse_event_id accepts exactly <1-20 digits>-<1-20 digits> with each part < 2^64 (an
//    independent reference decides), and to_string/parse round-trip;
//  - stream tickets: parse_ticket_body (field 1 as Content-Type, what follows the
//    third LF as body) accepts only valid device ids and bodies within the limit;
//    well_formed_ticket is exactly 64 lowercase hex;
//  - via Beast: a parsed request's field values are the sent values without surrounding
//    SP/HTAB, so the header path sees what the client sent.
#include "common/net.hpp"
#include "common/sse/event_id.hpp"
#include "common/auth/api_key.hpp"
#include "common/http/target.hpp"
#include "common/ids/device_id.hpp"
#include "gateway/ticket_rules.hpp"
#include "tests/support/fuzz_check.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

using ssegw::fuzz::printable;
namespace http = boost::beast::http;

namespace {

constexpr std::uint32_t header_limit = 16 * 1024;  // http_session.cpp
constexpr std::uint64_t body_limit = 64 * 1024;

bool is_sp_or_tab(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && is_sp_or_tab(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_sp_or_tab(s.back())) s.remove_suffix(1);
    return s;
}

void check_bearer(std::string_view h) {
    auto t = ssegw::auth::bearer_token(h);
    if (t) {
        FUZZ_CHECK(!t->empty(), printable(h));
        FUZZ_CHECK(t->find(' ') == std::string::npos, printable(*t));
        FUZZ_CHECK(!is_sp_or_tab(t->back()), printable(*t));
        FUZZ_CHECK(h.find(*t) != std::string_view::npos, printable(h));
        std::string_view rest = h;
        while (!rest.empty() && is_sp_or_tab(rest.front())) rest.remove_prefix(1);
        FUZZ_CHECK(rest.size() > 7, printable(h));
        for (std::size_t i = 0; i < 6; ++i) FUZZ_CHECK((rest[i] | 0x20) == "bearer"[i], printable(h));
        FUZZ_CHECK(rest[6] == ' ', printable(h));
        auto again = ssegw::auth::bearer_token("Bearer " + *t);
        FUZZ_CHECK(again == t, printable(*t));
    }
    // Any plausible token survives the round trip, with the scheme in any case and extra spaces.
    if (!h.empty() && h.find(' ') == std::string_view::npos && h.back() != '\t') {
        std::string const tok(h);
        FUZZ_CHECK(ssegw::auth::bearer_token("Bearer " + tok) == tok, printable(tok));
        FUZZ_CHECK(ssegw::auth::bearer_token(" \tbEaReR   " + tok + " \t ") == tok, printable(tok));
    }
}

// Reference for parse_event_id, written from its contract, not its code.
std::optional<std::uint64_t> ref_part(std::string_view s) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    unsigned __int128 v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > UINT64_MAX) return std::nullopt;
    return static_cast<std::uint64_t>(v);
}

void check_event_id(std::string_view s) {
    auto id = ssegw::sse::parse_event_id(s);
    std::optional<ssegw::sse::event_id> ref;
    if (auto dash = s.find('-'); dash != std::string_view::npos) {
        auto ms = ref_part(s.substr(0, dash));
        auto seq = ref_part(s.substr(dash + 1));
        if (ms && seq) ref = ssegw::sse::event_id{*ms, *seq};
    }
    FUZZ_CHECK(id == ref, printable(s));
    if (id) {
        auto text = id->to_string();
        FUZZ_CHECK(ssegw::sse::parse_event_id(text) == id, printable(text));
        auto dash = s.find('-');
        bool canonical = (dash == 1 || s[0] != '0') && (s.size() == dash + 2 || s[dash + 1] != '0');
        if (canonical) FUZZ_CHECK(text == s, printable(s) + " -> " + printable(text));
    }
}

// accepts_event_stream against a plain reference: the lowercased value contains the media type.
void check_accept(std::string_view accept) {
    std::string lower(accept);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool want = lower.find("text/event-stream") != std::string::npos;
    FUZZ_CHECK(ssegw::web::accepts_event_stream(accept) == want, printable(accept));
}

void check_fields(std::string_view authz, std::string_view last_id, std::string_view accept) {
    check_bearer(authz);
    check_event_id(last_id);
    check_accept(accept);

    // The same values as a request through Beast, read back as http_session::serve_stream does.
    std::string req = "GET /api/v1/devices/analysis/stream/all HTTP/1.1\r\nHost: x\r\nAuthorization: ";
    req.append(authz);
    req += "\r\nLast-Event-ID: ";
    req.append(last_id);
    req += "\r\nAccept: ";
    req.append(accept);
    req += "\r\n\r\n";
    http::request_parser<http::string_body> p;
    p.header_limit(header_limit);
    p.body_limit(body_limit);
    p.eager(true);
    boost::system::error_code ec;
    p.put(boost::asio::buffer(req), ec);
    if (ec || !p.is_done()) return;
    auto const& m = p.get();
    FUZZ_CHECK(m[http::field::authorization] == trim_ows(authz), printable(authz) + " -> " + printable(m[http::field::authorization]));
    FUZZ_CHECK(m["Last-Event-ID"] == trim_ows(last_id), printable(last_id));
    FUZZ_CHECK(m[http::field::accept] == trim_ows(accept), printable(accept));
    if (auto a = m[http::field::authorization]; !a.empty()) check_bearer(a);
    if (auto l = m["Last-Event-ID"]; !l.empty()) check_event_id(l);
    check_accept(m[http::field::accept]);
}

// The whole input as the bytes of a request, as a client could send them: Beast must not
// crash, and whatever it parses is handed to the same functions.
void check_raw_request(std::string_view bytes) {
    http::request_parser<http::string_body> p;
    p.header_limit(header_limit);
    p.body_limit(body_limit);
    p.eager(true);
    boost::system::error_code ec;
    auto buf = boost::asio::buffer(bytes.data(), bytes.size());
    while (buf.size() > 0 && !p.is_done()) {
        auto n = p.put(buf, ec);
        if (ec == http::error::need_more) break;
        if (ec) return;
        if (n == 0) break;
        buf += n;
    }
    if (!p.is_header_done()) return;
    auto const& m = p.get();
    check_bearer(m[http::field::authorization]);
    check_event_id(m["Last-Event-ID"]);
    check_accept(m[http::field::accept]);
}

// POST /api/v1/stream-tickets: Content-Type and body. A device id it accepts is a valid one, and
// nothing over the limit or non-blank without a JSON media type is accepted.
void check_ticket_body(std::string_view content_type, std::string_view body) {
    auto r = ssegw::gateway::parse_ticket_body(content_type, body);
    if (auto const* ok = std::get_if<ssegw::gateway::ticket_body>(&r)) {
        FUZZ_CHECK(body.size() <= ssegw::gateway::ticket_body_limit, printable(body));
        if (ok->device_id) FUZZ_CHECK(ssegw::ids::valid_device_id(*ok->device_id), printable(*ok->device_id));
    }
    bool hex64 = content_type.size() == 64;
    for (char c : content_type) hex64 = hex64 && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    FUZZ_CHECK(ssegw::gateway::well_formed_ticket(content_type) == hex64, printable(content_type));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view in(reinterpret_cast<char const*>(data), size);
    std::string_view f[3];
    std::string_view rest = in;
    for (int i = 0; i < 3; ++i) {
        auto lf = rest.find('\n');
        f[i] = rest.substr(0, lf);
        rest = lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);
    }
    check_fields(f[0], f[1], f[2]);
    check_bearer(in);
    check_event_id(in);
    check_accept(in);
    check_raw_request(in);
    check_ticket_body(f[0], rest);
    return 0;
}

// One-shot HTTP/1.1 requests over a real socket: send, read the whole response by a deadline.
#include "tests/support/http_client.hpp"

#include "tests/support/tcp_conn.hpp"

#include <stdexcept>

namespace ssegw::it {

http_response send_request(std::uint16_t port, http_request const& req, deadline d) {
    tcp_conn conn(port, d);
    std::string out = req.method + " " + req.target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                      "\r\nConnection: close\r\n";
    for (auto const& [k, v] : req.headers) out += k + ": " + v + "\r\n";
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT")
        out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
    out += "\r\n";
    out += req.body;
    conn.send_all(out, d);

    http_response res;
    std::string raw;
    char buf[16384];
    std::size_t head_end = std::string::npos;
    while (head_end == std::string::npos) {
        long n = conn.read_some(buf, sizeof buf, d);
        if (n < 0) throw std::runtime_error("no response head by the deadline; got: '" + raw + "'");
        if (n == 0) throw std::runtime_error("connection closed before a response head; got: '" + raw + "'");
        raw.append(buf, static_cast<std::size_t>(n));
        head_end = raw.find("\r\n\r\n");
    }
    auto head = parse_response_head(std::string_view(raw).substr(0, head_end));
    if (!head) throw std::runtime_error("malformed response head: '" + raw.substr(0, head_end) + "'");
    res.head = std::move(*head);
    auto dec = body_decoder::for_response(res.head, req.method);
    if (!dec.feed(std::string_view(raw).substr(head_end + 4), res.body))
        throw std::runtime_error("bad body framing: " + dec.error());
    while (!dec.complete()) {
        long n = conn.read_some(buf, sizeof buf, d);
        if (n < 0) {
            res.timed_out = true;
            return res;
        }
        if (n == 0) {
            res.complete = dec.kind() == body_decoder::framing::until_close;
            return res;
        }
        if (!dec.feed(std::string_view(buf, static_cast<std::size_t>(n)), res.body))
            throw std::runtime_error("bad body framing: " + dec.error());
    }
    res.complete = true;
    return res;
}

} // namespace ssegw::it

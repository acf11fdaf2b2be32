// An SSE client over a real TCP socket: response head, body decoding, WHATWG event-stream parsing.
#include "tests/support/sse_client.hpp"

#include <stdexcept>

namespace ssegw::it {

sse_client::sse_client(std::uint16_t port, std::string target, header_list headers, deadline d, int rcvbuf,
                       std::string method)
    : conn_(port, d, rcvbuf), method_(std::move(method)) {
    std::string out = method_ + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
    for (auto const& [k, v] : headers) out += k + ": " + v + "\r\n";
    if (method_ == "POST" || method_ == "PUT") out += "Content-Length: 0\r\n";
    out += "\r\n";
    conn_.send_all(out, d);

    std::string raw;
    char buf[16384];
    std::size_t head_end = std::string::npos;
    while (head_end == std::string::npos) {
        long n = conn_.read_some(buf, sizeof buf, d);
        if (n < 0) throw std::runtime_error("no response head by the deadline for " + target + "; got: '" + raw + "'");
        if (n == 0)
            throw std::runtime_error("connection closed before a response head for " + target + "; got: '" + raw +
                                     "'");
        raw.append(buf, static_cast<std::size_t>(n));
        head_end = raw.find("\r\n\r\n");
    }
    auto head = parse_response_head(std::string_view(raw).substr(0, head_end));
    if (!head) throw std::runtime_error("malformed response head: '" + raw.substr(0, head_end) + "'");
    head_ = std::move(*head);
    decoder_ = body_decoder::for_response(head_, method_);
    if (!decoder_.feed(std::string_view(raw).substr(head_end + 4), body_))
        throw std::runtime_error("bad body framing: " + decoder_.error());
    if (head_.status == 200) {
        parser_.feed(std::string_view(body_).substr(parsed_));
        parsed_ = body_.size();
    }
}

bool sse_client::pump(deadline d, bool until_eof) {
    if (eof_) return false;
    if (!until_eof && decoder_.complete()) return false;
    char buf[65536];
    long n = conn_.read_some(buf, sizeof buf, d);
    if (n < 0) return false;
    if (n == 0) {
        eof_ = true;
        return false;
    }
    if (!decoder_.feed(std::string_view(buf, static_cast<std::size_t>(n)), body_))
        throw std::runtime_error("bad body framing: " + decoder_.error() + "\n" + describe());
    if (head_.status == 200) {
        parser_.feed(std::string_view(body_).substr(parsed_));
        parsed_ = body_.size();
    }
    return true;
}

std::optional<sse_event> sse_client::read_event(deadline d) {
    auto& q = parser_.events();
    while (q.empty()) {
        if (!pump(d)) {
            if (q.empty()) return std::nullopt;
            break;
        }
    }
    auto e = std::move(q.front());
    q.pop_front();
    return e;
}

bool sse_client::wait_end(deadline d) {
    while (!ended())
        if (!pump(d)) break;
    return ended();
}

bool sse_client::wait_eof(deadline d) {
    while (!eof_)
        if (!pump(d, true) && !eof_) return false;
    return true;
}

std::string sse_client::read_body(deadline d) {
    wait_end(d);
    return body_;
}

std::size_t sse_client::keepalive_count() const {
    std::size_t n = 0;
    for (auto const& c : parser_.comments())
        if (c == " keepalive" || c == "keepalive") ++n;
    return n;
}

std::string sse_client::describe(std::size_t max) const {
    std::string b = body_.size() > max ? "…" + body_.substr(body_.size() - max) : body_;
    return "response head:\n" + head_.raw + "\n-- body so far (" + std::to_string(body_.size()) +
           " bytes, ended=" + (ended() ? "yes" : "no") + ", eof=" + (eof_ ? "yes" : "no") +
           ", last chunk=" + (decoder_.saw_last_chunk() ? "yes" : "no") + "):\n" + b;
}

} // namespace ssegw::it

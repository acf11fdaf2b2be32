// One-shot HTTP/1.1 requests over a real socket (health checks, error responses): send, read the whole
// response (Content-Length, chunked or until close) by a deadline.
#pragma once

#include "tests/support/http_message.hpp"
#include "tests/support/wait.hpp"

#include <cstdint>
#include <string>

namespace ssegw::it {

struct http_response {
    response_head head;
    std::string body;
    bool complete = false;   // the body ended per its framing (or EOF for close-delimited)
    bool timed_out = false;  // the deadline passed first
    int status() const noexcept { return head.status; }
    std::optional<std::string> header(std::string_view name) const { return head.header(name); }
    /// Head + body, for messages.
    std::string dump() const { return head.raw + "\r\n\r\n" + body; }
};

struct http_request {
    std::string method = "GET";
    std::string target = "/";
    header_list headers;       // extra headers (Host and Connection: close are added)
    std::string body;          // Content-Length added when non-empty or for POST/PUT
};

/// Sends one request with `Connection: close` and reads the response; throws std::runtime_error if the
/// connection fails or no response head arrives by the deadline.
http_response send_request(std::uint16_t port, http_request const& req, deadline d = in(5s));

/// GET `target`.
inline http_response http_get(std::uint16_t port, std::string target, header_list headers = {},
                              deadline d = in(5s)) {
    return send_request(port, http_request{"GET", std::move(target), std::move(headers), {}}, d);
}

} // namespace ssegw::it

// An SSE client over a real TCP socket: sends a GET, parses the response head, decodes the body
// (chunked or close-delimited) and the event stream (WHATWG), all with deadlines.
#pragma once

#include "tests/support/http_message.hpp"
#include "tests/support/sse_parser.hpp"
#include "tests/support/tcp_conn.hpp"
#include "tests/support/wait.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ssegw::it {

class sse_client {
public:
    /// Connects, sends `GET target` (HTTP/1.1, no Connection: close) with `headers`, reads the response
    /// head. Throws std::runtime_error on connect failure or no head by the deadline.
    /// rcvbuf > 0 shrinks the socket's receive buffer (slow consumer tests).
    sse_client(std::uint16_t port, std::string target, header_list headers = {}, deadline d = in(5s),
               int rcvbuf = 0, std::string method = "GET");

    int status() const noexcept { return head_.status; }
    response_head const& head() const noexcept { return head_; }
    std::optional<std::string> header(std::string_view name) const { return head_.header(name); }

    /// The next event, or nullopt if none arrived by the deadline or the stream ended.
    std::optional<sse_event> read_event(deadline d);
    /// Reads until `pred()` holds, the stream ends or the deadline passes; returns pred().
    template <class Pred>
    bool read_until(deadline d, Pred&& pred) {
        while (!pred())
            if (!pump(d)) return pred();
        return true;
    }
    /// Reads (buffering events) until the stream ends; true if it ended by the deadline.
    bool wait_end(deadline d);
    /// Reads until EOF on the socket; true if it came by the deadline.
    bool wait_eof(deadline d);
    /// Reads the whole body (non-200 answers); returns what was decoded by the deadline.
    std::string read_body(deadline d);

    /// The stream ended: terminating chunk, body length reached, or EOF.
    bool ended() const noexcept { return decoder_.complete() || eof_; }
    bool saw_eof() const noexcept { return eof_; }
    bool saw_reset() const noexcept { return conn_.reset(); }
    bool saw_last_chunk() const noexcept { return decoder_.saw_last_chunk(); }
    body_decoder const& decoder() const noexcept { return decoder_; }

    /// Events received but not yet returned by read_event.
    std::size_t buffered_events() { return parser_.events().size(); }
    std::vector<std::string> const& comments() const noexcept { return parser_.comments(); }
    /// Comments whose text is "keepalive".
    std::size_t keepalive_count() const;
    std::vector<long> const& retries() const noexcept { return parser_.retries(); }
    /// Every decoded body byte so far (for messages and byte-level checks).
    std::string const& body() const noexcept { return body_; }
    /// A description for failure messages: status, head, body so far (cut to `max` bytes).
    std::string describe(std::size_t max = 4000) const;

    void close() noexcept { conn_.close(); }

private:
    /// Reads one batch of bytes and feeds the decoders; false on timeout, at EOF, or (unless
    /// until_eof) once the body is complete.
    bool pump(deadline d, bool until_eof = false);

    tcp_conn conn_;
    std::string method_;
    response_head head_;
    body_decoder decoder_;
    sse_parser parser_;
    std::string body_;
    std::size_t parsed_ = 0;
    bool eof_ = false;
};

/// `Authorization: Bearer <key>`.
inline header_list bearer(std::string const& key) { return {{"Authorization", "Bearer " + key}}; }
/// Bearer plus `Accept: text/event-stream` (what EventSource sends).
inline header_list bearer_es(std::string const& key) {
    return {{"Authorization", "Bearer " + key}, {"Accept", "text/event-stream"}};
}

/// Stream paths.
inline std::string device_path(std::string const& device) {
    return "/api/v1/devices/" + device + "/analysis/stream";
}
inline std::string all_path() { return "/api/v1/devices/analysis/stream/all"; }

} // namespace ssegw::it

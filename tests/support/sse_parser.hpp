// A WHATWG event-stream parser (HTML "Interpreting an event stream"), fed with decoded body bytes.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssegw::it {

struct sse_event {
    std::string id;     // the last event ID buffer at dispatch (as EventSource.lastEventId)
    std::string event;  // type; "message" when no event field was given
    std::string data;   // data lines joined with \n
    std::optional<long> retry;  // a valid retry field inside this event's block
    std::string raw;    // the block's lines as received (LF-joined), for messages
};

class sse_parser {
public:
    /// Parses complete lines of `bytes`; an unfinished line waits for the next feed.
    void feed(std::string_view bytes);

    /// Dispatched events not yet taken.
    std::deque<sse_event>& events() noexcept { return events_; }
    /// Every comment line's text after the ':' (leading space kept), in order.
    std::vector<std::string> const& comments() const noexcept { return comments_; }
    /// Every valid retry value, in order.
    std::vector<long> const& retries() const noexcept { return retries_; }
    /// Lines that were neither a known field nor a comment (unknown field names).
    std::vector<std::string> const& unknown_lines() const noexcept { return unknown_; }

private:
    void line(std::string_view l);
    void dispatch();

    bool started_ = false;  // BOM check done
    bool after_cr_ = false;
    std::string partial_;
    std::string last_id_;
    std::string event_type_;
    std::string data_;
    std::optional<long> block_retry_;
    std::string block_raw_;
    std::deque<sse_event> events_;
    std::vector<std::string> comments_;
    std::vector<long> retries_;
    std::vector<std::string> unknown_;
};

/// What a WHATWG client sees of a `data` value sent through the framer: CRLF and lone CR become LF.
std::string normalise_breaks(std::string_view s);

} // namespace ssegw::it

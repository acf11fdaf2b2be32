// An SSE event framed once into its wire bytes, shared read-only by every stream that sends it.
// The same buffer serves chunked (HTTP/1.1) and close-delimited (HTTP/1.0) streams: the chunk
// header and trailer sit around the event bytes, and each stream picks its view.
#pragma once

#include "common/sse/event_id.hpp"

#include <boost/asio/buffer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ssegw::sse {

class frame {
public:
    /// Frames `id`, `event` and `data` per the WHATWG event-stream rules: data split on
    /// CR, LF and CRLF into one `data:` line each; id and event must hold no CR, LF or NUL
    /// (callers validate; the framer strips them rather than emit a broken stream).
    static std::shared_ptr<frame const> event(std::string_view id, std::string_view event,
                                              std::string_view data);
    static std::shared_ptr<frame const> comment(std::string_view text);
    static std::shared_ptr<frame const> retry(unsigned ms);
    /// Any already-valid event-stream text (several fields, for instance).
    static std::shared_ptr<frame const> raw(std::string_view text);
    /// Bytes sent as they are on every stream, chunked or not (a response header, the last chunk).
    static std::shared_ptr<frame const> verbatim(std::string text);

    /// The event-stream bytes alone.
    std::string_view body() const noexcept { return std::string_view(wire_).substr(body_at_, body_len_); }
    /// The same bytes as one HTTP/1.1 chunk.
    std::string_view chunk() const noexcept { return wire_; }
    boost::asio::const_buffer buffer(bool chunked) const noexcept {
        auto v = chunked ? chunk() : body();
        return {v.data(), v.size()};
    }

    /// The parsed id when the event id is a Redis entry id (resume and lag use it).
    std::optional<event_id> const& id() const noexcept { return id_; }

private:
    frame() = default;
    explicit frame(std::string_view body);
    std::string wire_;
    std::size_t body_at_ = 0;
    std::size_t body_len_ = 0;
    std::optional<event_id> id_;
};

using frame_ptr = std::shared_ptr<frame const>;

/// Appends the event-stream text for one event to `out` (exposed for tests and tools).
void append_event(std::string& out, std::string_view id, std::string_view event, std::string_view data);

} // namespace ssegw::sse

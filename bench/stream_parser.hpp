// Reads one SSE response the way sse-bench needs it, incrementally: the HTTP head, a chunked
// or close-delimited body, and per event only what the benchmark measures (the id for resume,
// and the publish sequence and time the bench put into `data`). No allocation per event once
// warm, so the client stays cheap next to the server it measures.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ssegw::bench {

/// One dispatched event: the bench's fields from its data (-1 if absent).
struct bench_event {
    std::int64_t seq = -1;      // "bench_seq": the publisher's global sequence number
    std::int64_t sent_ns = -1;  // "bench_t": CLOCK_REALTIME nanoseconds when it was published
    bool error = false;         // `event: error` (the gateway's refusal to an EventSource)
};

class stream_parser {
public:
    enum class phase { head, body, ended, failed };

    /// Consumes bytes; the events completed by them are in events() until the next feed().
    /// Returns false once the response is not a 200 event stream or is malformed (see error()).
    bool feed(std::string_view bytes);

    std::vector<bench_event> const& events() const noexcept { return events_; }
    phase state() const noexcept { return phase_; }
    int status() const noexcept { return status_; }
    std::string const& error() const noexcept { return error_; }
    /// The last `id:` of a dispatched event (what Last-Event-ID would carry).
    std::string const& last_id() const noexcept { return last_id_; }
    /// Starts over for a new response on a new connection; keeps last_id().
    void reset();

private:
    bool feed_head(std::string_view& bytes);
    void feed_chunked(std::string_view bytes);
    void feed_sse(std::string_view bytes);
    void line(std::string_view l);
    bool fail(std::string why);

    enum class chunk { size, ext, size_lf, data, data_cr, data_lf, done };

    phase phase_ = phase::head;
    int status_ = 0;
    bool chunked_ = false;
    std::string head_;
    std::string error_;
    chunk chunk_ = chunk::size;
    std::uint64_t chunk_left_ = 0;
    std::string line_;     // a line split across reads
    bool skip_lf_ = false; // a CR ended the previous line; a following LF belongs to it
    bench_event pending_;
    bool pending_data_ = false;
    std::string pending_id_;
    bool pending_has_id_ = false;
    std::string last_id_;
    std::vector<bench_event> events_;
};

} // namespace ssegw::bench

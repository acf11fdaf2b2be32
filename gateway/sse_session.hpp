// The stream phase of one client connection: once its channel is live, the response header and
// `retry:`, the replay after Last-Event-ID (live events held back meanwhile and de-duplicated by
// id), then shared frames through a byte-bounded queue with one batched write in flight;
// keepalives, idle and write-stall timeouts, and a clean end. Lives on one worker thread; the
// worker's hub holds a raw pointer to it from start() to the destructor.
// Plain streams write a span of shared frames straight to their tcp::socket; a TLS stream (its
// state behind tls_, null on plain) gathers them into one buffer per write, reads through TLS to
// notice the client leaving, and ends with close_notify. The plain path pays one null test per write.
#pragma once

#include "common/net.hpp"
#include "common/sse/event_id.hpp"
#include "common/sse/frame.hpp"
#include "gateway/connection_slot.hpp"
#include "gateway/handler_memory.hpp"
#include "gateway/stream_grant.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio::ssl {
class context;
template <class>
class stream;
} // namespace boost::asio::ssl

namespace ssegw::gateway {

class server;
class worker;

class sse_session : public std::enable_shared_from_this<sse_session> {
public:
    using clock = std::chrono::steady_clock;

    /// `head` is the serialized response header; `chunked` picks the frame view for HTTP/1.1.
    sse_session(tcp::socket socket, worker& w, stream_grant grant, bool chunked, std::string head,
                std::optional<sse::event_id> last_event_id, connection_slot slot);
    /// The same over TLS: the connection as the request phase left it, and the context it was
    /// accepted with (kept alive as long as the stream).
    sse_session(std::unique_ptr<boost::asio::ssl::stream<beast::tcp_stream>> tls,
                std::shared_ptr<boost::asio::ssl::context> ctx, worker& w, stream_grant grant, bool chunked,
                std::string head, std::optional<sse::event_id> last_event_id, connection_slot slot);
    ~sse_session();
    sse_session(sse_session const&) = delete;
    sse_session& operator=(sse_session const&) = delete;

    void start();
    /// The channel's subscription is in place: send the header, then replay or go straight live.
    void go_live();

    /// Queues an event; false when the stream is ending or was cut for holding too much.
    bool enqueue_event(sse::frame_ptr const& f);
    /// Keepalive, idle and write-stall checks; the worker calls it periodically.
    void tick(clock::time_point now);
    void revoke();
    /// Drain: a jittered `retry:` so clients spread their reconnects, then a clean end.
    void drain(unsigned retry_ms);

    std::string const& channel() const noexcept { return grant_.channel; }
    std::string const& key_hash() const noexcept { return grant_.key_hash; }

private:
    friend class channel_hub;
    enum class phase { waiting, replaying, live };
    bool enqueue(sse::frame_ptr const& f);
    void on_replay(bool ok, std::string const& reset_reason, std::vector<sse::frame_ptr> frames);
    void do_write();
    void on_write(error_code ec, std::size_t n);
    void do_wait_readable();
    void on_readable(error_code ec);
    void end(disconnect_reason why, sse::frame_ptr last = nullptr);
    // TLS only (sse_session_tls.cpp).
    void tls_start();
    void tls_read();
    void tls_close();
    void do_write_tls();
    void on_tls_read(error_code ec, std::size_t);
    /// TLS: close_notify with a short deadline, then close(end_reason_).
    void shutdown_tls();
    void close(disconnect_reason why);

    tcp::socket socket_;  // plain only (an unopened socket on TLS)
    struct tls_state;
    struct tls_state_deleter {
        void operator()(tls_state* p) const noexcept;
    };
    std::unique_ptr<tls_state, tls_state_deleter> tls_;  // null on plain
    worker& worker_;
    stream_grant grant_;
    connection_slot slot_;
    bool chunked_;
    phase phase_ = phase::waiting;
    bool joined_ = false;
    bool writing_ = false;
    bool ending_ = false;
    bool closed_ = false;
    disconnect_reason end_reason_ = disconnect_reason::client;
    std::size_t hub_slot_ = 0;
    // Queue of shared frames: a vector with a moving head (a deque allocates ~600 bytes up front).
    std::vector<sse::frame_ptr> queue_;
    std::size_t head_ = 0;
    std::size_t offset_ = 0;          // bytes of queue_[head_] already written
    std::size_t queued_bytes_ = 0;
    std::size_t replay_allowance_ = 0; // replayed bytes still unsent: exempt from the bound
    sse::frame_ptr head_frame_;
    std::optional<sse::event_id> last_event_id_;
    sse::event_id newest_;      // newest event id queued (a flag, not optional: see GCC 12 -Wmaybe-uninitialized)
    bool has_newest_ = false;
    std::vector<sse::frame_ptr> held_;  // live frames that arrived during the replay
    std::size_t held_bytes_ = 0;
    std::vector<net::const_buffer> bufs_;
    handler_memory write_memory_;  // the one write in flight
    clock::time_point opened_, last_event_, last_sent_, last_progress_;
    std::uint64_t events_sent_ = 0;
};

using session_ptr = std::shared_ptr<sse_session>;

} // namespace ssegw::gateway

// The stream phase of one client connection: once its channel is live, the response header and
// `retry:`, the replay after Last-Event-ID (live events held back meanwhile and de-duplicated by
// id), then shared frames through a byte-bounded queue with one batched write in flight;
// keepalives, idle and write-stall timeouts, and a clean end. Lives on one worker thread; the
// worker's hub holds a raw pointer to it from start() to the destructor.
// sse_session is the logic, written once; basic_sse_session<Transport> binds it to a transport
// (stream_transport.hpp), the way Beast's advanced_server_flex binds its sessions to plain or TLS.
#pragma once

#include "common/handler_memory.hpp"
#include "common/net.hpp"
#include "common/sse/event_id.hpp"
#include "common/sse/frame.hpp"
#include "gateway/channel_hub.hpp"
#include "gateway/stream_context.hpp"
#include "gateway/stream_grant.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ssegw::gateway {

class sse_session : public hub_member, public std::enable_shared_from_this<sse_session> {
public:
    using clock = std::chrono::steady_clock;

    /// `head` is the serialized response header; `chunked` picks the frame view for HTTP/1.1.
    sse_session(stream_context const& ctx, stream_grant grant, bool chunked, std::string head,
                std::optional<sse::event_id> last_event_id);
    virtual ~sse_session();
    sse_session(sse_session const&) = delete;
    sse_session& operator=(sse_session const&) = delete;

    void start();
    /// The channel's subscription is in place: send the header, then replay or go straight live.
    void go_live() override;

    /// Queues an event; false when the stream is ending or was cut for holding too much.
    bool enqueue_event(sse::frame_ptr const& f) override;
    /// Keepalive, idle and write-stall checks; the worker calls it periodically.
    void tick(clock::time_point now);
    void revoke();
    /// Drain: a jittered `retry:` so clients spread their reconnects, then a clean end.
    void drain(unsigned retry_ms);

    std::string const& channel() const noexcept override { return grant_.channel; }
    std::string const& key_hash() const noexcept { return grant_.key_hash; }

protected:
    // The transport's part (basic_sse_session).
    virtual void transport_start() = 0;
    virtual void transport_write(std::span<sse::frame_ptr const> frames, std::size_t offset) = 0;
    virtual void transport_watch() = 0;
    virtual void transport_finish() = 0;
    virtual void transport_close() = 0;

    void on_write(error_code ec, std::size_t n);
    void on_watch(error_code ec);
    /// After the graceful end: the stream is over.
    void on_finished() { close(end_reason_); }

    bool chunked_;
    handler_memory write_memory_;  // the one write in flight

private:
    enum class phase { waiting, replaying, live };
    bool enqueue(sse::frame_ptr const& f);
    void on_replay(bool ok, std::string const& reset_reason, std::vector<sse::frame_ptr> frames);
    void do_write();
    void end(disconnect_reason why, sse::frame_ptr last = nullptr);
    void finish();
    void close(disconnect_reason why);

    stream_context ctx_;
    stream_grant grant_;
    phase phase_ = phase::waiting;
    bool joined_ = false;
    bool writing_ = false;
    bool ending_ = false;
    bool finishing_ = false;
    bool closed_ = false;
    disconnect_reason end_reason_ = disconnect_reason::client;
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
    clock::time_point opened_, last_event_, last_sent_, last_progress_;
    std::uint64_t events_sent_ = 0;
};

template <class Transport>
class basic_sse_session final : public sse_session {
public:
    template <class Connection>
    basic_sse_session(Connection c, stream_context const& ctx, stream_grant grant, bool chunked, std::string head,
                      std::optional<sse::event_id> last_event_id)
        : sse_session(ctx, std::move(grant), chunked, std::move(head), last_event_id), t_(std::move(c)) {}

private:
    std::shared_ptr<basic_sse_session> self() {
        return std::static_pointer_cast<basic_sse_session>(shared_from_this());
    }
    void transport_start() override { t_.start(); }
    void transport_write(std::span<sse::frame_ptr const> frames, std::size_t offset) override {
        t_.async_write({frames, offset, chunked_}, write_memory_,
                       beast::bind_front_handler(&basic_sse_session::on_write, self()));
    }
    void transport_watch() override {
        t_.async_watch([s = self()](error_code ec) { s->on_watch(ec); });
    }
    void transport_finish() override {
        t_.async_finish([s = self()] { s->on_finished(); });
    }
    void transport_close() override { t_.close(); }

    Transport t_;
};

} // namespace ssegw::gateway

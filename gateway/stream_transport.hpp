// How a stream's bytes reach its client, one class per transport with the same shape, so the
// stream logic (sse_session) is written once: plain streams write a span of shared frames straight
// to their socket (one writev); TLS streams gather them into one record-sized buffer per write,
// read through TLS to notice the client leaving, and end with close_notify.
#pragma once

#include "common/handler_memory.hpp"
#include "common/http/connection.hpp"
#include "common/sse/frame.hpp"

#include <functional>
#include <span>
#include <string>

namespace ssegw::gateway {

/// What a write takes: the queued frames from the first unsent one, and how much of it was sent.
struct write_batch {
    std::span<sse::frame_ptr const> frames;
    std::size_t offset = 0;
    bool chunked = false;
};

class plain_transport {
public:
    explicit plain_transport(web::plain_connection c) : socket_(std::move(c.socket)), slot_(std::move(c.slot)) {}
    void start();
    template <class Handler>
    void async_write(write_batch b, handler_memory& mem, Handler&& h);
    /// `h(ec)` when the client sent something (read away) or left (ec set).
    void async_watch(std::function<void(error_code)> h);
    /// Graceful end after the last byte: a FIN (the client sees a clean EOF); `h` at once.
    void async_finish(std::function<void()> h);
    void close();

private:
    tcp::socket socket_;
    web::connection_slot slot_;
    std::vector<net::const_buffer> bufs_;
};

class tls_transport {
public:
    explicit tls_transport(web::tls_connection c);
    ~tls_transport();
    void start();
    template <class Handler>
    void async_write(write_batch b, handler_memory& mem, Handler&& h);
    void async_watch(std::function<void(error_code)> h);
    /// close_notify with a short deadline; `h` once it is sent, refused or timed out.
    void async_finish(std::function<void()> h);
    void close();

private:
    web::tls_connection c_;
    net::steady_timer shutdown_timer_;
    std::string out_;  // the frames of the write in flight, gathered
    char scratch_[512];
};

// --- the writes, inline: they are the hot path ---

inline constexpr std::size_t max_batch = 64;                 // frames gathered into one writev
inline constexpr std::size_t tls_batch_bytes = 16 * 1024;    // bytes gathered into one TLS write (a record)

template <class Handler>
void plain_transport::async_write(write_batch b, handler_memory& mem, Handler&& h) {
    bufs_.clear();
    auto n = std::min(b.frames.size(), max_batch);
    for (std::size_t i = 0; i < n; ++i) bufs_.push_back(b.frames[i]->buffer(b.chunked));
    bufs_.front() += b.offset;
    // write_some, not write: every completion is progress, which the write-stall check needs.
    // A span, not the vector: the operation copies its buffer sequence, and a span copies free.
    socket_.async_write_some(std::span<net::const_buffer const>(bufs_),
                             net::bind_allocator(handler_allocator<void>(mem), std::forward<Handler>(h)));
}

template <class Handler>
void tls_transport::async_write(write_batch b, handler_memory& mem, Handler&& h) {
    // TLS writes one buffer per call: gather up to a record's worth of frames into one.
    out_.clear();
    std::size_t skip = b.offset;
    for (std::size_t i = 0; i < b.frames.size() && out_.size() < tls_batch_bytes; ++i) {
        auto buf = b.frames[i]->buffer(b.chunked) + skip;
        skip = 0;
        out_.append(static_cast<char const*>(buf.data()), buf.size());
    }
    c_.stream->async_write_some(net::buffer(out_),
                                net::bind_allocator(handler_allocator<void>(mem), std::forward<Handler>(h)));
}

} // namespace ssegw::gateway

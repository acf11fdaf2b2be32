// How a stream's bytes reach its client: one class template over the connection, the steps that
// differ specialised per transport, so the stream logic (sse_session) is written once: plain streams write a span of shared frames straight
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

/// A transport's own state beside its connection (specialised below).
template <class Connection>
struct transport_state;

template <>
struct transport_state<web::plain_connection> {
    explicit transport_state(web::plain_connection const&) {}
    std::vector<net::const_buffer> bufs;  // the frames of the write in flight, as one writev
};

template <>
struct transport_state<web::tls_connection> {
    explicit transport_state(web::tls_connection const& c) : shutdown_timer(c.stream->get_executor()) {}
    net::steady_timer shutdown_timer;
    std::string out;  // the frames of the write in flight, gathered
    char scratch[512];
};

template <class Connection>
class stream_transport {
public:
    explicit stream_transport(Connection c) : c_(std::move(c)), s_(c_) {}
    void start();
    template <class Handler>
    void async_write(write_batch b, handler_memory& mem, Handler&& h);
    /// `h(ec)` when the client sent something (read away) or left (ec set).
    void async_watch(std::function<void(error_code)> h);
    /// Graceful end after the last byte: a FIN (plain), or close_notify under a short deadline (TLS);
    /// `h` once it is done, refused or timed out.
    void async_finish(std::function<void()> h);
    void close();

private:
    Connection c_;
    transport_state<Connection> s_;
};

using plain_transport = stream_transport<web::plain_connection>;
using tls_transport = stream_transport<web::tls_connection>;

template <> void plain_transport::start();
template <> void tls_transport::start();
template <> void plain_transport::async_watch(std::function<void(error_code)> h);
template <> void tls_transport::async_watch(std::function<void(error_code)> h);
template <> void plain_transport::async_finish(std::function<void()> h);
template <> void tls_transport::async_finish(std::function<void()> h);
template <> void plain_transport::close();
template <> void tls_transport::close();

// --- the writes, inline: they are the hot path ---

inline constexpr std::size_t max_batch = 64;                 // frames gathered into one writev
inline constexpr std::size_t tls_batch_bytes = 16 * 1024;    // bytes gathered into one TLS write (a record)

namespace detail {

template <class Handler>
void write(web::plain_connection& c, transport_state<web::plain_connection>& s, write_batch b, handler_memory& mem,
           Handler&& h) {
    s.bufs.clear();
    auto n = std::min(b.frames.size(), max_batch);
    for (std::size_t i = 0; i < n; ++i) s.bufs.push_back(b.frames[i]->buffer(b.chunked));
    s.bufs.front() += b.offset;
    // write_some, not write: every completion is progress, which the write-stall check needs.
    // A span, not the vector: the operation copies its buffer sequence, and a span copies free.
    c.socket.async_write_some(std::span<net::const_buffer const>(s.bufs),
                              net::bind_allocator(handler_allocator<void>(mem), std::forward<Handler>(h)));
}

template <class Handler>
void write(web::tls_connection& c, transport_state<web::tls_connection>& s, write_batch b, handler_memory& mem,
           Handler&& h) {
    // TLS writes one buffer per call: gather up to a record's worth of frames into one.
    s.out.clear();
    std::size_t skip = b.offset;
    for (std::size_t i = 0; i < b.frames.size() && s.out.size() < tls_batch_bytes; ++i) {
        auto buf = b.frames[i]->buffer(b.chunked) + skip;
        skip = 0;
        s.out.append(static_cast<char const*>(buf.data()), buf.size());
    }
    c.stream->async_write_some(net::buffer(s.out),
                               net::bind_allocator(handler_allocator<void>(mem), std::forward<Handler>(h)));
}

} // namespace detail

template <class Connection>
template <class Handler>
void stream_transport<Connection>::async_write(write_batch b, handler_memory& mem, Handler&& h) {
    detail::write(c_, s_, b, mem, std::forward<Handler>(h));
}

} // namespace ssegw::gateway

// sse_session over TLS, in its own translation unit: the plain path's code (sse_session.cpp) is
// compiled exactly as without TLS, and only calls in here when the stream is a TLS one.
#include "common/log.hpp"
#include "gateway/sse_session.hpp"
#include "gateway/tls.hpp"

namespace ssegw::gateway {
namespace {

constexpr std::size_t tls_batch_bytes = 16 * 1024;  // gathered into one TLS write (a full record)
constexpr auto tls_shutdown_deadline = std::chrono::seconds(2);

} // namespace

struct sse_session::tls_state {
    tls_state(std::unique_ptr<tls_stream> s, tls_context_ptr c)
        : ctx(std::move(c)), stream(std::move(s)), shutdown_timer(stream->get_executor()) {}
    tls_context_ptr ctx;  // declared first: outlives the stream
    std::unique_ptr<tls_stream> stream;
    net::steady_timer shutdown_timer;
    std::string out;  // the frames of the write in flight, gathered
    char scratch[512];
    bool shutting_down = false;
    tcp::socket& socket() { return beast::get_lowest_layer(*stream).socket(); }
};

void sse_session::tls_state_deleter::operator()(tls_state* p) const noexcept { delete p; }

sse_session::sse_session(std::unique_ptr<tls_stream> tls, tls_context_ptr ctx, worker& w, stream_grant grant,
                         bool chunked, std::string head, std::optional<sse::event_id> last_event_id,
                         connection_slot slot)
    // The plain socket_ stays closed: every read and write goes through the TLS stream.
    : sse_session(tcp::socket(tls->get_executor()), w, std::move(grant), chunked, std::move(head), last_event_id,
                  std::move(slot)) {
    tls_.reset(new tls_state(std::move(tls), std::move(ctx)));
}

void sse_session::tls_start() {
    error_code ec;
    tls_->socket().set_option(tcp::no_delay(true), ec);
}

void sse_session::tls_read() {
    // Through TLS: the client's bytes are records (close_notify, key updates), never raw noise.
    tls_->stream->async_read_some(net::buffer(tls_->scratch),
                                  beast::bind_front_handler(&sse_session::on_tls_read, shared_from_this()));
}

void sse_session::on_tls_read(error_code ec, std::size_t) {
    if (closed_) return;
    if (ec) return close(disconnect_reason::client);  // EOF, close_notify, reset, or our own close
    do_wait_readable();
}

void sse_session::tls_close() {
    tls_->shutdown_timer.cancel();
    beast::get_lowest_layer(*tls_->stream).close();  // pending operations finish with operation_aborted
}

void sse_session::do_write_tls() {
    // TLS writes one buffer per call: gather up to a record's worth of frames into one.
    auto& out = tls_->out;
    out.clear();
    std::size_t skip = offset_;
    for (std::size_t i = head_; i < queue_.size() && out.size() < tls_batch_bytes; ++i) {
        auto b = queue_[i]->buffer(chunked_) + skip;
        skip = 0;
        out.append(static_cast<char const*>(b.data()), b.size());
    }
    writing_ = true;
    last_progress_ = clock::now();
    tls_->stream->async_write_some(net::buffer(out),
                                   net::bind_allocator(handler_allocator<void>(write_memory_),
                                                       beast::bind_front_handler(&sse_session::on_write,
                                                                                 shared_from_this())));
}

void sse_session::shutdown_tls() {
    if (tls_->shutting_down || closed_) return;
    tls_->shutting_down = true;
    tls_->shutdown_timer.expires_after(tls_shutdown_deadline);
    tls_->shutdown_timer.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) self->close(self->end_reason_);
    });
    // Sends close_notify, then waits for the client's (or its EOF): either way the stream is over.
    tls_->stream->async_shutdown([self = shared_from_this()](error_code) { self->close(self->end_reason_); });
}

} // namespace ssegw::gateway

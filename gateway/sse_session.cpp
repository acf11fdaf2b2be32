#include "gateway/sse_session.hpp"

#include "common/jitter.hpp"
#include "common/log.hpp"
#include "common/redis/keys.hpp"
#include "gateway/channel_hub.hpp"
#include "gateway/stream_services.hpp"

namespace ssegw::gateway {
namespace {

constexpr std::size_t compact_after = 64;  // sent frames at the queue's head before they are erased

} // namespace

sse_session::sse_session(stream_context const& ctx, stream_grant grant, bool chunked, std::string head,
                         std::optional<sse::event_id> last_event_id)
    : chunked_(chunked),
      ctx_(ctx),
      grant_(std::move(grant)),
      head_frame_(sse::frame::verbatim(std::move(head))),
      last_event_id_(last_event_id) {
    opened_ = last_event_ = last_sent_ = last_progress_ = clock::now();
}

sse_session::~sse_session() {
    if (joined_) ctx_.hub.leave(this);
    ctx_.services.stats().connections[static_cast<std::size_t>(grant_.kind)]->fetch_sub(1, std::memory_order_relaxed);
    if (!grant_.lease_member.empty()) ctx_.services.release_lease(grant_.user_id, grant_.lease_member);
    log::info("stream closed",
              {{"user", grant_.user_id},
               {"stream", name_of(grant_.kind)},
               {"channel", grant_.channel},
               {"duration_s", std::chrono::duration<double>(clock::now() - opened_).count()},
               {"events", events_sent_},
               {"reason", name_of(end_reason_)}});
}

void sse_session::start() {
    auto& m = ctx_.services.stats();
    m.connections[static_cast<std::size_t>(grant_.kind)]->fetch_add(1, std::memory_order_relaxed);
    m.opened->fetch_add(1, std::memory_order_relaxed);
    transport_start();
    transport_watch();
    joined_ = true;
    ctx_.hub.join(this);  // calls go_live() at once if the channel is live already
}

void sse_session::go_live() {
    if (phase_ != phase::waiting || closed_) return;
    enqueue(std::exchange(head_frame_, nullptr));
    enqueue(ctx_.frames.retry);
    log::info("stream opened", {{"user", grant_.user_id},
                                {"stream", name_of(grant_.kind)},
                                {"channel", grant_.channel},
                                {"resume", last_event_id_ ? last_event_id_->to_string() : ""}});
    if (!last_event_id_) {
        phase_ = phase::live;
        return;
    }
    phase_ = phase::replaying;
    ctx_.services.replay(redis::keys::log_of(grant_.channel), *last_event_id_, ctx_.executor,
                         [self = shared_from_this()](bool ok, std::string reset, std::vector<sse::frame_ptr> frames) {
                             self->on_replay(ok, reset, std::move(frames));
                         });
}

void sse_session::on_replay(bool ok, std::string const& reset_reason, std::vector<sse::frame_ptr> frames) {
    if (closed_ || ending_) return;
    if (!ok) return end(disconnect_reason::shutdown, ctx_.frames.unavailable);
    if (!reset_reason.empty()) {
        std::string text;
        sse::append_event(text, "", "reset", "{\"reason\":\"" + reset_reason + "\"}");
        enqueue(sse::frame::raw(text));
    } else {
        newest_ = *last_event_id_;  // the client has everything up to its Last-Event-ID
        has_newest_ = true;
    }
    for (auto& f : frames) replay_allowance_ += f->buffer(chunked_).size();
    phase_ = phase::live;
    std::size_t replayed = 0;
    for (auto& f : frames) {
        if (enqueue_event(f)) ++replayed;
        else if (closed_ || ending_) return;
    }
    ctx_.services.stats().events_replayed->fetch_add(replayed, std::memory_order_relaxed);
    // Subscribed before the log was read: live frames the replay already sent are dropped by id.
    auto held = std::move(held_);
    held_bytes_ = 0;
    for (auto& f : held)
        if (!enqueue_event(f) && (closed_ || ending_)) return;
}

bool sse_session::enqueue_event(sse::frame_ptr const& f) {
    if (ending_ || closed_ || phase_ == phase::waiting) return false;
    if (phase_ == phase::replaying) {
        held_bytes_ += f->buffer(chunked_).size();
        if (held_bytes_ > ctx_.services.cfg().max_queued_bytes) {
            close(disconnect_reason::slow);
            return false;
        }
        held_.push_back(f);
        return true;
    }
    // Ids on a channel only grow: one not newer than the last sent is a copy (a replayed event
    // whose live twin was still on its way, or a gap-fill overlap).
    if (auto const& id = f->id()) {
        if (has_newest_ && *id <= newest_) return false;
        newest_ = *id;
        has_newest_ = true;
    }
    if (!enqueue(f)) return false;
    last_event_ = last_sent_;
    ++events_sent_;
    return true;
}

bool sse_session::enqueue(sse::frame_ptr const& f) {
    if (closed_) return false;
    auto n = f->buffer(chunked_).size();
    // The bound: a client that cannot keep up is cut instead of growing memory without limit.
    if (queued_bytes_ + n > ctx_.services.cfg().max_queued_bytes + replay_allowance_) {
        close(disconnect_reason::slow);
        return false;
    }
    queue_.push_back(f);
    queued_bytes_ += n;
    last_sent_ = clock::now();
    if (!writing_) do_write();
    return true;
}

void sse_session::do_write() {
    writing_ = true;
    last_progress_ = clock::now();
    transport_write(std::span<sse::frame_ptr const>(queue_).subspan(head_), offset_);
}

void sse_session::on_write(error_code ec, std::size_t n) {
    writing_ = false;
    if (ec || closed_) return close(disconnect_reason::client);
    last_progress_ = clock::now();
    queued_bytes_ -= n;
    replay_allowance_ -= std::min(replay_allowance_, n);
    while (n > 0) {
        std::size_t left = queue_[head_]->buffer(chunked_).size() - offset_;
        if (n < left) {
            offset_ += n;
            break;
        }
        n -= left;
        offset_ = 0;
        queue_[head_++].reset();
    }
    if (head_ == queue_.size()) {
        queue_.clear();
        head_ = 0;
    } else if (head_ >= compact_after) {
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    if (head_ < queue_.size()) return do_write();
    if (ending_) finish();
}

void sse_session::on_watch(error_code ec) {
    if (closed_) return;
    if (ec) return close(disconnect_reason::client);
    transport_watch();
}

void sse_session::tick(clock::time_point now) {
    if (closed_) return;
    auto const& c = ctx_.services.cfg();
    if (writing_ && now - last_progress_ > c.write_timeout) return close(disconnect_reason::slow);
    if (ending_ || phase_ == phase::waiting) return;
    if (now - last_event_ >= c.idle_timeout) return end(disconnect_reason::idle);
    if (now - last_sent_ >= c.keepalive_interval) enqueue(ctx_.frames.keepalive);
}

void sse_session::revoke() { end(disconnect_reason::revoked, ctx_.frames.revoked); }

void sse_session::drain(unsigned retry_ms) {
    // Up to +100% jitter: a drained fleet of clients comes back over a window, not at once.
    end(disconnect_reason::shutdown, sse::frame::retry(jittered(retry_ms, retry_ms * 2 + 1)));
}

void sse_session::end(disconnect_reason why, sse::frame_ptr last) {
    if (ending_ || closed_) return;
    end_reason_ = why;
    if (last) enqueue(last);
    if (chunked_) enqueue(ctx_.frames.last_chunk);
    ending_ = true;
    if (!writing_ && !closed_) finish();
}

void sse_session::finish() {
    if (finishing_ || closed_) return;
    finishing_ = true;
    transport_finish();  // then on_finished()
}

void sse_session::close(disconnect_reason why) {
    if (closed_) return;
    closed_ = true;
    if (!ending_) end_reason_ = why;
    ctx_.services.stats().disconnect(end_reason_);
    transport_close();  // pending operations finish with operation_aborted and drop their refs
}

} // namespace ssegw::gateway

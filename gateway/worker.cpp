#include "gateway/worker.hpp"

#include "common/http/api_error.hpp"
#include "common/log.hpp"
#include "gateway/sse_session.hpp"

#include <algorithm>

namespace ssegw::gateway {

thread_local worker* worker::current_ = nullptr;

worker::worker(unsigned index, stream_services& services)
    : index_(index),
      services_(services),
      hub_([this](std::string const& channel, bool joined, std::uint64_t epoch) {
          services_.channel_changed(index_, channel, joined, epoch);
      }),
      streams_{hub_, services_, frames_, ioc_.get_executor()},
      tick_(ioc_) {
    auto const& c = cfg();
    // Fine enough that keepalive and idle deadlines are met within a quarter of their period.
    auto period = std::min(c.keepalive_interval, c.idle_timeout) / 4;
    period = std::clamp(period, seconds_d(0.05), seconds_d(1));
    tick_every_ = std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
    frames_.retry = sse::frame::retry(c.retry_ms);
    frames_.keepalive = sse::frame::comment("keepalive");
    std::string revoked;
    sse::append_event(revoked, "", "error", web::error_body({web::error_kind::unauthorized, "API key revoked"}));
    frames_.revoked = sse::frame::raw(revoked);
    std::string unavailable;
    sse::append_event(unavailable, "", "error",
                      web::error_body({web::error_kind::unavailable, "replay log unavailable, reconnect to resume"}));
    frames_.unavailable = sse::frame::raw(unavailable);
    frames_.last_chunk = sse::frame::verbatim("0\r\n\r\n");
}

worker::~worker() {
    if (thread_.joinable()) {
        ioc_.stop();
        thread_.join();
    }
}

void worker::start() {
    guard_.emplace(ioc_.get_executor());
    do_tick();
    thread_ = std::thread([this] {
        current_ = this;
        for (;;) {
            try {
                ioc_.run();
                return;
            } catch (std::exception const& e) {
                // A handler that throws must not take the other streams down with it.
                log::error("worker handler threw", {{"worker", index_}, {"error", e.what()}});
            }
        }
    });
}

void worker::do_tick() {
    tick_.expires_after(tick_every_);
    tick_.async_wait([this](error_code ec) {
        if (ec) return;
        auto now = std::chrono::steady_clock::now();
        hub_.for_each<sse_session>([now](sse_session& s) { s.tick(now); });
        do_tick();
    });
}

void worker::revoke(std::string const& key_hash) {
    std::size_t n = 0;
    hub_.for_each<sse_session>([&](sse_session& s) {
        if (s.key_hash() == key_hash) {
            s.revoke();
            ++n;
        }
    });
    if (n) log::info("key revoked", {{"worker", index_}, {"streams", n}});
}

void worker::drain() {
    auto retry_ms = cfg().retry_ms;
    hub_.for_each<sse_session>([retry_ms](sse_session& s) { s.drain(retry_ms); });
    idle_.close_all();
}

} // namespace ssegw::gateway

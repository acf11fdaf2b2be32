#include "webhookd/event_reader.hpp"

#include "common/log.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/value.hpp"

#include <algorithm>
#include <string_view>

namespace ssegw::webhookd {
namespace {

// Short enough that a drain or a lost connection is noticed within it; an XADD ends it at once.
constexpr char const* block_ms = "1000";
constexpr std::size_t max_batch = 512;

} // namespace

event_reader::event_reader(redis::client& conn, std::string consumer, flight_slots& slots, deliver_fn deliver)
    : conn_(conn), consumer_(std::move(consumer)), slots_(slots), deliver_(std::move(deliver)),
      retry_(conn.get_executor()) {
    conn_.on_up([this] { create_group(); });
    conn_.on_down([this] { group_ready_ = false; });
}

void event_reader::start() {
    stopped_ = false;
    if (conn_.up()) create_group();
}

void event_reader::stop() {
    stopped_ = true;
    retry_.cancel();
}

void event_reader::read_later() {
    retry_.expires_after(std::chrono::seconds(1));
    retry_.async_wait([this](error_code e) {
        if (!e) group_ready_ ? read() : create_group();
    });
}

void event_reader::wake() {
    if (!reading_) read();
}

void event_reader::create_group() {
    if (stopped_ || creating_) return;
    creating_ = true;
    // At id 0, so that events published before any worker ran are delivered too.
    conn_.command({"XGROUP", "CREATE", redis::keys::webhook_events, redis::keys::webhook_group, "0", "MKSTREAM"},
                  [this](redisReply* r) {
                      creating_ = false;
                      if (!r) return;  // reconnecting: on_up calls again
                      if (r->type == REDIS_REPLY_ERROR && !std::string_view(r->str, r->len).starts_with("BUSYGROUP")) {
                          log::error("cannot create the consumer group", {{"error", std::string(r->str, r->len)}});
                          return read_later();
                      }
                      group_ready_ = true;
                      read();
                  });
}

void event_reader::read() {
    if (stopped_ || reading_ || !group_ready_ || !conn_.up()) return;
    // As many as there are free slots now; what arrives beyond the slots free by then is planned
    // without being sent (left due), so the read itself holds no slot the claim step could use.
    std::size_t n = std::min(slots_.free(), max_batch);
    if (n == 0) return;  // wake() reads again when a slot frees
    reading_ = true;
    conn_.command({"XREADGROUP", "GROUP", redis::keys::webhook_group, consumer_, "COUNT", std::to_string(n), "BLOCK",
                   block_ms, "STREAMS", redis::keys::webhook_events, ">"},
                  [this](redisReply* r) {
                      reading_ = false;
                      std::vector<stream_entry> entries;
                      bool failed = false;
                      if (r) {
                          auto v = redis::copy_of(r);
                          if (v.is_error()) {
                              // NOGROUP: the stream or the group was deleted; make it again.
                              if (v.str.starts_with("NOGROUP")) group_ready_ = false;
                              else log::error("XREADGROUP failed", {{"error", v.str}});
                              failed = group_ready_;
                          } else if (auto got = read_group_reply(v)) {
                              entries = std::move(*got);
                          } else {
                              log::error("XREADGROUP: unexpected reply");
                              failed = true;
                          }
                      }
                      if (!entries.empty()) deliver_(std::move(entries));
                      if (!r) return;  // on_up starts again
                      if (failed) read_later();
                      else if (group_ready_) read();
                      else create_group();
                  });
}

} // namespace ssegw::webhookd

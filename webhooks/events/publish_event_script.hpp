// The Lua script that publishes one webhook event (docs/PRODUCERS.md): validates it, guards against
// duplicates, refuses past the backlog cap, then XADDs it to webhook:events, atomically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ssegw::redis {
class sync_client;
}

namespace ssegw::webhooks {

/// The script's source, as shipped for producers in other languages.
/// KEYS[1] webhook:events   KEYS[2] webhook:evtid:<userId>:<eventId>
/// ARGV[1] event id  ARGV[2] type  ARGV[3] userId  ARGV[4] deviceId or ""  ARGV[5] sceneId or ""
/// ARGV[6] event time in unix ms, "" = Redis TIME  ARGV[7] data (JSON object <= 65536 bytes)
/// ARGV[8] backlog cap. Returns {entry id, 1} added, {first entry id, 0} duplicate; errors
/// "BAD_EVENT <why>" and "BACKLOG_FULL".
std::string_view publish_event_script_source();

/// One event as the script takes it (ARGV[1..7]); "" device/scene is none, "" time is Redis TIME.
struct event_fields {
    std::string event_id;   // lowercase UUID
    std::string type;
    std::string user_id;
    std::string device_id;
    std::string scene_id;
    std::string time_ms;    // unix ms as decimal digits
    std::string data;       // a JSON object
};

enum class publish_status {
    added,         // a new entry
    duplicate,     // the same user published the same event id within 24 h: nothing added
    bad_event,     // the script refused it (`error` says why)
    backlog_full,  // webhook:events holds the cap or more: nothing added, nothing dropped
};

struct publish_outcome {
    publish_status status = publish_status::added;
    std::string entry_id;  // added: the new entry; duplicate: the first one
    std::string error;     // bad_event, backlog_full: the script's error reply
};

/// Runs the script (EVALSHA, loading it on NOSCRIPT). Throws redis::sync_error on I/O failure, any
/// other error reply, or a reply of the wrong shape.
publish_outcome publish_event(redis::sync_client& redis, event_fields const& event, std::uint64_t backlog_cap);

} // namespace ssegw::webhooks

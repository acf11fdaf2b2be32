// The one Lua script producers use to publish a result (docs/PRODUCERS.md): XADD to the
// device log and the user log (trimmed), then PUBLISH an envelope to both channels, atomically.
#pragma once

#include "common/redis/sync_client.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ssegw::redis {

/// The script's source, as shipped for producers in other languages.
/// KEYS[1] analysis:device:<deviceId>:log   KEYS[2] analysis:user:<userId>:log
/// ARGV[1] analysis:device:<deviceId> (channel)   ARGV[2] analysis:user:<userId> (channel)
/// ARGV[3] the result JSON, embedded byte-for-byte   ARGV[4] MAXLEN (approximate trim)
/// ARGV[5] event name (analysis_result)
/// Returns {device_log_entry_id, user_log_entry_id}.
std::string_view publish_script_source();

struct published_ids {
    std::string device_id;  // entry id in analysis:device:<deviceId>:log
    std::string user_id;    // entry id in analysis:user:<userId>:log
};

/// SCRIPT LOAD: returns the SHA1 that EVALSHA names the script by. Throws sync_error.
std::string load_publish_script(sync_client& redis);

/// The EVALSHA command for one result, for callers that pipeline (append now, get_reply later).
std::vector<std::string> publish_command(std::string_view sha, std::string_view device_id, std::string_view user_id,
                                         std::string_view result_json, unsigned maxlen = 1000,
                                         std::string_view event = "analysis_result");

/// Publishes one result through the script (EVALSHA, loading it on NOSCRIPT). Throws sync_error.
published_ids publish_result(sync_client& redis, std::string_view device_id, std::string_view user_id,
                             std::string_view result_json, unsigned maxlen = 1000,
                             std::string_view event = "analysis_result");

} // namespace ssegw::redis

#include "common/redis/publish_script.hpp"

#include "common/redis/lua_script.hpp"

#include <string>

namespace ssegw::redis {
namespace {

// The envelope is built by concatenation, not cjson: cjson would reorder the result's keys
// and reformat its numbers, and `data` must reach clients byte-for-byte as published.
constexpr std::string_view source = R"lua(-- sse-gateway publish script (docs/PRODUCERS.md). Run it with EVAL/EVALSHA:
--   KEYS[1] analysis:device:<deviceId>:log    KEYS[2] analysis:user:<userId>:log
--   ARGV[1] analysis:device:<deviceId>        ARGV[2] analysis:user:<userId>
--   ARGV[3] the result: one JSON object on one line, embedded byte-for-byte
--   ARGV[4] MAXLEN of each log (approximate trim, e.g. 1000)
--   ARGV[5] event name (analysis_result; letters, digits, '_', '-', '.', ':' only)
-- Returns {device log entry id, user log entry id}. Each log entry has the fields
-- event and data; each channel gets {"id":"<that log's entry id>","event":...,"data":<result>}.
local device_id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'event', ARGV[5], 'data', ARGV[3])
local user_id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'event', ARGV[5], 'data', ARGV[3])
redis.call('PUBLISH', ARGV[1], '{"id":"' .. device_id .. '","event":"' .. ARGV[5] .. '","data":' .. ARGV[3] .. '}')
redis.call('PUBLISH', ARGV[2], '{"id":"' .. user_id .. '","event":"' .. ARGV[5] .. '","data":' .. ARGV[3] .. '}')
return {device_id, user_id}
)lua";

std::string const& source_sha1() {
    static std::string const sha = script_sha1(source);
    return sha;
}

// The event name is spliced into the envelope's JSON unescaped, so only plain tokens pass.
bool valid_event(std::string_view event) {
    if (event.empty() || event.size() > 64)
        return false;
    for (char c : event) {
        bool const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == '-' || c == '.' || c == ':';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

std::string_view publish_script_source() { return source; }

std::string load_publish_script(sync_client& redis) {
    auto r = redis.command({"SCRIPT", "LOAD", source});
    if (r->type != REDIS_REPLY_STRING)
        throw sync_error("publish: SCRIPT LOAD did not answer a SHA1");
    return std::string(r->str, r->len);
}

std::vector<std::string> publish_command(std::string_view sha, std::string_view device_id, std::string_view user_id,
                                         std::string_view result_json, unsigned maxlen, std::string_view event) {
    std::string const device(device_id);
    std::string const user(user_id);
    return {"EVALSHA", std::string(sha), "2",
            "analysis:device:" + device + ":log", "analysis:user:" + user + ":log",
            "analysis:device:" + device, "analysis:user:" + user,
            std::string(result_json), std::to_string(maxlen), std::string(event)};
}

// result_json is not parsed here (callers validate it once, the bench publishes pre-built
// results); it must be one JSON object on one line or the envelopes will not parse.
// Not for use between append() and get_reply() of the caller's own pipeline.
published_ids publish_result(sync_client& redis, std::string_view device_id, std::string_view user_id,
                             std::string_view result_json, unsigned maxlen, std::string_view event) {
    if (device_id.empty() || user_id.empty())
        throw sync_error("publish: empty device or user id");
    if (!valid_event(event))
        throw sync_error("publish: invalid event name");
    auto const args = publish_command(source_sha1(), device_id, user_id, result_json, maxlen, event);

    reply_ptr const r = evalsha_or_load(redis, source, args);
    if (r->type == REDIS_REPLY_ERROR)
        throw sync_error("publish: " + std::string(r->str, r->len));
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
        r->element[1]->type != REDIS_REPLY_STRING)
        throw sync_error("publish: unexpected reply from the publish script");
    return {std::string(r->element[0]->str, r->element[0]->len),
            std::string(r->element[1]->str, r->element[1]->len)};
}

} // namespace ssegw::redis

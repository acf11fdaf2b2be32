#include "common/redis/publish_script.hpp"

#include <openssl/evp.h>

#include <array>
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

// EVALSHA names the script by the SHA1 hex of its exact source.
std::string const& source_sha1() {
    static std::string const sha = [] {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (EVP_Digest(source.data(), source.size(), md, &len, EVP_sha1(), nullptr) != 1)
            throw sync_error("publish script: SHA1 unavailable");
        static constexpr char digits[] = "0123456789abcdef";
        std::string hex;
        for (unsigned int i = 0; i < len; ++i) {
            hex += digits[md[i] >> 4];
            hex += digits[md[i] & 0x0f];
        }
        return hex;
    }();
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

bool is_error(redisReply const* r, std::string_view prefix) {
    return r->type == REDIS_REPLY_ERROR && std::string_view(r->str, r->len).substr(0, prefix.size()) == prefix;
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

    // append/get_reply return error replies instead of throwing, so NOSCRIPT (a fresh or
    // flushed server) can be told apart: load the script once and run it again.
    redis.append(args);
    reply_ptr r = redis.get_reply();
    if (is_error(r.get(), "NOSCRIPT")) {
        redis.command({"SCRIPT", "LOAD", source});
        redis.append(args);
        r = redis.get_reply();
    }
    if (r->type == REDIS_REPLY_ERROR)
        throw sync_error("publish: " + std::string(r->str, r->len));
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
        r->element[1]->type != REDIS_REPLY_STRING)
        throw sync_error("publish: unexpected reply from the publish script");
    return {std::string(r->element[0]->str, r->element[0]->len),
            std::string(r->element[1]->str, r->element[1]->len)};
}

} // namespace ssegw::redis

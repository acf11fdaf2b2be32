#include "webhooks/events/publish_event_script.hpp"

#include "common/redis/keys.hpp"
#include "common/redis/lua_script.hpp"
#include "common/redis/sync_client.hpp"
#include "webhooks/model/event_types.hpp"

#include <string>
#include <vector>

namespace ssegw::webhooks {
namespace {

// The script checks everything itself because producers in other languages call it directly;
// sse-publish checks the same first only to say why in its own words, and to re-serialise
// `data` (which the script does not: the consumer drops what it cannot re-serialise).
// cjson only answers "is it JSON at all": its tables cannot tell an object from an array, hence
// the look at the first byte.
constexpr std::string_view head = R"lua(-- sse-gateway webhook event publish script (docs/PRODUCERS.md). Run it with EVAL/EVALSHA:
--   KEYS[1] webhook:events   KEYS[2] webhook:evtid:<userId>:<eventId>
--   ARGV[1] event id: a lowercase UUID, the idempotency key
--   ARGV[2] type   ARGV[3] userId   ARGV[4] deviceId or ""   ARGV[5] sceneId or ""
--   ARGV[6] event time in unix ms, "" = Redis TIME
--   ARGV[7] data: a JSON object of at most 65536 bytes
--   ARGV[8] backlog cap: refused while webhook:events holds this many entries or more
-- Returns {entry id, 1} when added; {first entry id, 0} when the same user published the same
-- event id within 24 h (nothing is added). Errors: "BAD_EVENT <why>"; "BACKLOG_FULL" (nothing
-- is dropped: publish again later). The entry's fields: eventId type userId deviceId sceneId ts data.
local types = {}
for _, t in ipairs({)lua";

constexpr std::string_view tail = R"lua(}) do types[t] = true end
-- A table, not redis.error_reply: that would make a one-word error "ERR BACKLOG_FULL".
local function bad(why) return {err = 'BAD_EVENT ' .. why} end
if #KEYS ~= 2 or #ARGV ~= 8 then return bad('arguments: needs 2 keys and 8 arguments') end
local event_id, kind, user, device, scene, ts, data, cap =
    ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
-- The platform's id rule: 1-200 bytes, no control characters or spaces.
local function valid_id(s) return #s >= 1 and #s <= 200 and not string.find(s, '[%z\1-\32\127]') end
local h = '[0-9a-f]'
local uuid = '^' .. h:rep(8) .. '%-' .. h:rep(4) .. '%-' .. h:rep(4) .. '%-' .. h:rep(4) .. '%-' .. h:rep(12) .. '$'
if not types[kind] then return bad('type: not a publishable event type') end
if not string.find(event_id, uuid) then return bad('event id: not a lowercase UUID') end
local rule = 'must be 1-200 bytes without spaces or control characters'
if not valid_id(user) then return bad('userId: ' .. rule) end
if device ~= '' and not valid_id(device) then return bad('deviceId: ' .. rule .. ', or ""') end
if scene ~= '' and not valid_id(scene) then return bad('sceneId: ' .. rule .. ', or ""') end
if KEYS[2] ~= 'webhook:evtid:' .. user .. ':' .. event_id then
    return bad('KEYS[2]: must be webhook:evtid:<userId>:<eventId>')
end
if ts ~= '' and (#ts > 15 or not string.find(ts, '^%d+$')) then return bad('ts: must be unix ms digits or ""') end
if #data > 65536 then return bad('size: data exceeds 65536 bytes') end
local ok = pcall(cjson.decode, data)
if not ok or not string.find(data, '^[ \t\r\n]*{') then return bad('data: not a JSON object') end
if not string.find(cap, '^[1-9]%d*$') then return bad('backlog cap: must be a positive integer') end
local first = redis.call('GET', KEYS[2])
if first then return {first, 0} end
if redis.call('XLEN', KEYS[1]) >= tonumber(cap) then return {err = 'BACKLOG_FULL'} end
if ts == '' then
    local t = redis.call('TIME')
    ts = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
end
local id = redis.call('XADD', KEYS[1], '*', 'eventId', event_id, 'type', kind, 'userId', user,
    'deviceId', device, 'sceneId', scene, 'ts', ts, 'data', data)
redis.call('SET', KEYS[2], id, 'EX', 86400)
return {id, 1}
)lua";

// The catalogue is spliced in, so the script and sse-publish cannot disagree on it.
std::string const& source() {
    static std::string const text = [] {
        std::string s(head);
        for (std::size_t i = 0; i < event_types.size(); ++i)
            s += (i ? ", '" : "'") + std::string(event_types[i]) + "'";
        s += tail;
        return s;
    }();
    return text;
}

std::string const& source_sha1() {
    static std::string const sha = redis::script_sha1(source());
    return sha;
}

} // namespace

std::string_view publish_event_script_source() { return source(); }

publish_outcome publish_event(redis::sync_client& redis, event_fields const& event, std::uint64_t backlog_cap) {
    std::vector<std::string> const command{
        "EVALSHA", source_sha1(), "2",
        std::string(redis::keys::webhook_events), redis::keys::webhook_event_id(event.user_id, event.event_id),
        event.event_id, event.type, event.user_id, event.device_id, event.scene_id, event.time_ms, event.data,
        std::to_string(backlog_cap)};
    redis::reply_ptr const r = redis::evalsha_or_load(redis, source(), command);
    if (r->type == REDIS_REPLY_ERROR) {
        std::string const error(r->str, r->len);
        if (error.starts_with("BAD_EVENT")) return {publish_status::bad_event, {}, error};
        if (error == "BACKLOG_FULL") return {publish_status::backlog_full, {}, error};
        throw redis::sync_error("publish event: " + error);
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
        r->element[1]->type != REDIS_REPLY_INTEGER)
        throw redis::sync_error("publish event: unexpected reply from the event script");
    return {r->element[1]->integer == 1 ? publish_status::added : publish_status::duplicate,
            std::string(r->element[0]->str, r->element[0]->len), {}};
}

} // namespace ssegw::webhooks

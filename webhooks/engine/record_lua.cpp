#include "webhooks/engine/record_lua.hpp"

#include "common/redis/keys.hpp"

#include <string_view>

namespace ssegw::webhooks {
namespace {

// The fields an attempt record is written with (the delivery log's names; userId, webhookId, retentionMs, token
// and claimedAt are the engine's own). The results (httpStatusCode … attemptedAt) come later.
constexpr std::string_view body = R"lua(
local DAY = 86400000
-- A key of another type where one of ours belongs (an operator's mistake, a stray write) must not
-- stop deliveries for everyone: reading it sees nothing, and index writes to it are skipped.
local function try(...)
  local r = redis.pcall(...)
  if type(r) == 'table' and r.err then return nil end
  return r
end
local function hash(key)
  local r = try('HGETALL', key) or {}
  local h = {}
  for i = 1, #r, 2 do h[r[i]] = r[i + 1] end
  return h
end
local function ms(n) return string.format('%d', n) end
local function user_of(webhook_key) return string.sub(webhook_key, #K_WEBHOOK + 1) end
local function iso(t)
  local s = math.floor(t / 1000)
  local days = math.floor(s / 86400)
  local secs = s - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d, math.floor(secs / 3600),
                       math.floor((secs % 3600) / 60), secs % 60, t - s * 1000)
end
local function hex(s)
  return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end))
end
-- The index keys of record `a` under each of `statuses`: its device and scene, or '*' for any.
local function index_keys(a, statuses)
  local devices, scenes = {'*'}, {'*'}
  if a.deviceId then devices = {hex(a.deviceId), '*'} end
  if a.sceneId then scenes = {hex(a.sceneId), '*'} end
  local keys = {}
  for _, s in ipairs(statuses) do
    for _, d in ipairs(devices) do
      for _, c in ipairs(scenes) do keys[#keys + 1] = K_INDEX .. a.userId .. ':' .. s .. ':' .. d .. ':' .. c end
    end
  end
  return keys
end
local function retention_of(a, retention)
  return retention or tonumber(a.retentionMs or '') or 2592000000
end
-- Each write trims what outlived the retention and renews the key's TTL.
local function index(a, statuses, now, retention)
  local r = retention_of(a, retention)
  for _, k in ipairs(index_keys(a, statuses)) do
    if try('ZADD', k, a.createdAt, a.id) then
      redis.call('ZREMRANGEBYSCORE', k, '-inf', '(' .. ms(now - r))
      redis.call('PEXPIRE', k, r + DAY)
    end
  end
end
-- A status change moves the record between the keys of its status only: the any-status ('*') keys
-- already hold it, unchanged, so they are not written (a third of the index work of a delivery).
local function reindex(a, from, to, now, retention)
  for _, k in ipairs(index_keys(a, {from})) do try('ZREM', k, a.id) end
  index(a, {to}, now, retention)
end
local ATTEMPT_FIELDS = {'id', 'deliveryId', 'webhookUrl', 'notificationId', 'alertEventId', 'severity',
  'notificationType', 'deviceId', 'sceneId', 'status', 'attemptNumber', 'maxAttempts', 'isFinalAttempt',
  'trigger', 'scheduledAt', 'createdAt', 'userId', 'webhookId', 'retentionMs', 'token', 'claimedAt'}
-- Appends name, value for each of `names` that `t` holds: HSET arguments without the nil fields.
local function append_present(args, t, names)
  for _, k in ipairs(names) do
    if t[k] then
      args[#args + 1] = k
      args[#args + 1] = t[k]
    end
  end
  return args
end
local function write_attempt(a, now, retention)
  local args = append_present({}, a, ATTEMPT_FIELDS)
  local key = K_ATTEMPT .. a.id
  redis.call('HSET', key, unpack(args))
  redis.call('PEXPIRE', key, retention_of(a, retention) + DAY)
  index(a, {'pending', '*'}, now, retention)
end
-- The next attempt of the delivery `a` belongs to, pending and due at `due` (ms, a string): the
-- event's fields come from `a`, the attempt's own from `t` (id, webhookUrl, attemptNumber,
-- maxAttempts, isFinalAttempt, trigger, webhookId, retentionMs). It becomes the delivery's newest
-- attempt, and the delivery is kept retention + 1 d from now.
local EVENT_FIELDS = {'deliveryId', 'notificationId', 'alertEventId', 'severity', 'notificationType', 'deviceId',
  'sceneId', 'userId'}
local function add_attempt(a, t, due, now, retention)
  for _, k in ipairs(EVENT_FIELDS) do t[k] = a[k] end
  t.status, t.scheduledAt, t.createdAt = 'pending', due, ms(now)
  write_attempt(t, now, retention)
  redis.call('ZADD', K_DUE, due, t.id)
  local delivery = K_DELIVERY .. t.deliveryId
  redis.call('HSET', delivery, 'latest', t.id)
  redis.call('PEXPIRE', delivery, retention + DAY)
end
-- attemptedAt stays unset: the attempt never started, or its result will never be recorded.
local function cancel_attempt(a, why, now, retention)
  redis.call('HSET', K_ATTEMPT .. a.id, 'status', 'failed', 'errorMessage', 'cancelled: webhook ' .. why,
             'isFinalAttempt', '1')
  redis.call('ZREM', K_DUE, a.id)
  reindex(a, 'pending', 'failed', now, retention)
end
local function cancel_pending(user, why, now, retention)
  local pending = K_INDEX .. user .. ':pending:*:*'
  local n = 0
  for _, id in ipairs(try('ZRANGE', pending, 0, -1) or {}) do
    local a = hash(K_ATTEMPT .. id)
    if a.status == 'pending' then
      cancel_attempt(a, why, now, retention)
      n = n + 1
    else
      redis.call('ZREM', pending, id)  -- its record expired
    end
  end
  return n
end
-- A pending record shows where it will go: a new URL reaches those not yet claimed; a claimed
-- one is going to the old URL, and a later claim writes the URL it then uses.
local function follow_url(user, url)
  for _, id in ipairs(try('ZRANGE', K_INDEX .. user .. ':pending:*:*', 0, -1) or {}) do
    local state = try('HMGET', K_ATTEMPT .. id, 'status', 'token') or {}
    if state[1] == 'pending' and not state[2] then redis.call('HSET', K_ATTEMPT .. id, 'webhookUrl', url) end
  end
end
)lua";

std::string lua_string(std::string_view s) { return "'" + std::string(s) + "'"; }

} // namespace

std::string const& record_lua() {
    // Key names come from keys.hpp, so the scripts and the C++ readers cannot disagree on them.
    static std::string const text = "local K_WEBHOOK = " + lua_string(redis::keys::webhook("")) +
                                    "\nlocal K_ATTEMPT = " + lua_string(redis::keys::webhook_attempt("")) +
                                    "\nlocal K_DELIVERY = " + lua_string(redis::keys::webhook_delivery("")) +
                                    "\nlocal K_INDEX = " + lua_string(redis::keys::webhook_index_prefix) +
                                    "\nlocal K_DUE = " + lua_string(redis::keys::webhook_due) +
                                    "\nlocal GROUP = " + lua_string(redis::keys::webhook_group) +
                                    "\nlocal CHANNEL_DISABLED = " + lua_string(redis::keys::webhook_disabled_channel) +
                                    std::string(body);
    return text;
}

std::string_view clock_lua() {
    return R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
)lua";
}

} // namespace ssegw::webhooks

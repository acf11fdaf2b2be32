#include "webhooks/engine/engine_scripts.hpp"

#include "common/ids/uuid.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/lua_script.hpp"
#include "webhooks/engine/record_lua.hpp"
#include "webhooks/engine/script_values.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace ssegw::webhooks {
namespace {

using namespace script_values;

// After record_lua() and clock_lua(): the sender's view of an attempt (read_job's order).
constexpr std::string_view prelude = R"lua(
-- A previous secret is sent only while it still signs.
local function job(a, w, payload, reclaimed)
  local prev, prev_until = '', '0'
  if w.previousSecret and (tonumber(w.previousSecretUntil or '') or 0) > now then
    prev, prev_until = w.previousSecret, w.previousSecretUntil
  end
  return {a.id, a.token, w.url or '', w.timeoutMs or '5000', w.secret or '', prev, prev_until, payload,
          a.notificationId, a.notificationType, a.deliveryId, a.userId, a.webhookId, a.trigger,
          a.attemptNumber, a.maxAttempts, a.scheduledAt, reclaimed}
end
-- '' = none, else '=' .. value (so that an empty string stays a value).
local function opt(s)
  if s == '' then return nil end
  return string.sub(s, 2)
end
)lua";

// KEYS[1] webhook:events  KEYS[2] webhook:<userId>  KEYS[3] webhook:due
// ARGV[1] entry id  ARGV[2] body ('' = malformed: acknowledge only)  ARGV[3] event id  ARGV[4] type
// ARGV[5] userId  ARGV[6] deviceId or ''  ARGV[7] sceneId or ''  ARGV[8] alertEventId  ARGV[9] severity
// (both opt())  ARGV[10] delivery id  ARGV[11] record id  ARGV[12] claim token  ARGV[13] reclaim-after ms
// ARGV[14] retention ms  ARGV[15] '1': claimed by the caller, '0': due at once (the caller is at its
// per-webhook cap; the claim loop of whichever instance has room sends it)
// → {'elsewhere'} | {'dropped', reason} | {'planned', job} | {'deferred'}
constexpr std::string_view plan_body = R"lua(
if redis.call('XACK', KEYS[1], GROUP, ARGV[1]) == 0 then return {'elsewhere'} end
local body = ARGV[2]
if body == '' then return {'dropped', 'malformed'} end
local w = hash(KEYS[2])
local kind, user, device, scene = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
if not w.id then return {'dropped', 'no_webhook'} end
if w.enabled == '0' then return {'dropped', 'disabled'} end
if not string.find(' ' .. (w.subscribedTypes or '') .. ' ', ' ' .. kind .. ' ', 1, true) then
  return {'dropped', 'not_subscribed'}
end
-- A list that is given must hold the event's id; an event without that id fails it.
local ok, filter = pcall(cjson.decode, w.filter or '{}')
if not ok or type(filter) ~= 'table' then filter = {} end
local function passes(list, id)
  if type(list) ~= 'table' then return true end
  for _, v in ipairs(list) do
    if id ~= '' and v == id then return true end
  end
  return false
end
if not passes(filter.deviceIds, device) or not passes(filter.sceneIds, scene) then return {'dropped', 'filtered'} end

local retention, at = tonumber(ARGV[14]), ms(now)
-- maxRetries as configured now: a later PATCH applies to later events only.
local max = (tonumber(w.maxRetries or '') or 3) + 1
local a = {id = ARGV[11], deliveryId = ARGV[10], webhookUrl = w.url or '', notificationId = ARGV[3],
  alertEventId = opt(ARGV[8]), severity = opt(ARGV[9]), notificationType = kind,
  status = 'pending', attemptNumber = '1', maxAttempts = ms(max), isFinalAttempt = max == 1 and '1' or '0',
  trigger = 'automatic', scheduledAt = at, createdAt = at, userId = user, webhookId = w.id,
  retentionMs = ARGV[14]}
local claimed = ARGV[15] == '1'
if claimed then a.token, a.claimedAt = ARGV[12], at end
if device ~= '' then a.deviceId = device end
if scene ~= '' then a.sceneId = scene end
-- `latest`: the delivery's newest attempt, the only one that can be pending (a manual retry checks it).
local d = {'eventId', ARGV[3], 'type', kind, 'userId', user, 'webhookId', w.id, 'payload', body,
  'maxAttempts', a.maxAttempts, 'createdAt', at, 'latest', a.id}
append_present(d, a, {'deviceId', 'sceneId', 'alertEventId', 'severity'})
local delivery = K_DELIVERY .. a.deliveryId
redis.call('HSET', delivery, unpack(d))
redis.call('PEXPIRE', delivery, retention + DAY)
write_attempt(a, now, retention)
if not claimed then
  redis.call('ZADD', KEYS[3], at, a.id)
  return {'deferred'}
end
-- Claimed by the planner, which sends at once: due again only if its lease lapses.
redis.call('ZADD', KEYS[3], ms(now + (tonumber(w.timeoutMs or '') or 5000) + tonumber(ARGV[13])), a.id)
return {'planned', job(a, w, body, '0')}
)lua";

// KEYS[1] webhook:due  ARGV[1] at most this many  ARGV[2] token base  ARGV[3] reclaim-after ms
// ARGV[4] retention ms  ARGV[5] per-webhook cap (0 = none)  ARGV[6] due members looked at, at most
// ARGV[7…] pairs: userId, the caller's attempts in flight to that user's webhook
// → {jobs, cancelled}
constexpr std::string_view claim_body = R"lua(
local retention, want, cap = tonumber(ARGV[4]), tonumber(ARGV[1]), tonumber(ARGV[5])
local busy = {}
for i = 7, #ARGV, 2 do busy[ARGV[i]] = tonumber(ARGV[i + 1]) end
local jobs, cancelled = {}, 0
-- Attempts of a webhook at the cap stay due and are skipped, so the members behind them, other
-- webhooks' attempts, are still claimed: one slow receiver cannot hold everyone's slots.
for i, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ms(now), 'LIMIT', 0, tonumber(ARGV[6]))) do
  if #jobs >= want then break end
  local a = hash(K_ATTEMPT .. id)
  local payload = a.deliveryId and try('HGET', K_DELIVERY .. a.deliveryId, 'payload')
  if a.status ~= 'pending' or not payload then
    redis.call('ZREM', KEYS[1], id)  -- ended, or expired: nothing to send
  else
    local w = hash(K_WEBHOOK .. a.userId)
    local why = nil
    if not w.id then why = 'deleted'
    elseif w.id ~= a.webhookId then why = 'replaced'
    elseif w.enabled == '0' then why = 'disabled' end
    local held = busy[a.userId] or 0
    if why then
      cancel_attempt(a, why, now, retention)
      cancelled = cancelled + 1
    elseif cap > 0 and held >= cap then
      -- left due for a later claim
    else
      busy[a.userId] = held + 1
      -- A token already there: an earlier claim lapsed, its holder's result will be stale.
      local reclaimed = a.token and '1' or '0'
      a.token, a.webhookUrl = ARGV[2] .. '.' .. i, w.url or ''
      redis.call('HSET', K_ATTEMPT .. id, 'token', a.token, 'webhookUrl', a.webhookUrl, 'claimedAt', ms(now))
      redis.call('ZADD', KEYS[1], ms(now + (tonumber(w.timeoutMs or '') or 5000) + tonumber(ARGV[3])), id)
      jobs[#jobs + 1] = job(a, w, payload, reclaimed)
    end
  end
end
return {jobs, cancelled}
)lua";

// KEYS[1] webhook:due  ARGV[1] record id  ARGV[2] token  ARGV[3] success | failed
// ARGV[4] httpStatusCode or ''  ARGV[5] responseTimeMs or ''  ARGV[6] responseBody  ARGV[7] errorMessage
// (both opt())  ARGV[8] delay of the next attempt, ms  ARGV[9] its record id
// ARGV[10] disable after this many failed deliveries (0 = never)  ARGV[11] after failing this long, ms
// (0 = never)  ARGV[12] retention ms
// → {'stale'} | {'cancelled'} | {'done', result, disabled reason or '', cancelled, next id or '', next due or ''}
constexpr std::string_view complete_body = R"lua(
local retention = tonumber(ARGV[12])
local a = hash(K_ATTEMPT .. ARGV[1])
if not a.id or a.token ~= ARGV[2] then return {'stale'} end
if a.status ~= 'pending' then return {'cancelled'} end
local ok = ARGV[3] == 'success'
local n, max = tonumber(a.attemptNumber), tonumber(a.maxAttempts)
local wkey = K_WEBHOOK .. a.userId
local w = hash(wkey)
-- Counters belong to the webhook the delivery was planned for, not to one that replaced it.
local same = w.id ~= nil and w.id == a.webhookId
local retry = not ok and a.trigger == 'automatic' and n < max and same and w.enabled ~= '0'
local started = a.claimedAt or ms(now)
local status = ok and 'success' or 'failed'
local f = {'status', status, 'attemptedAt', started, 'isFinalAttempt', retry and '0' or '1'}
local function put(name, v)
  if v then
    f[#f + 1] = name
    f[#f + 1] = v
  end
end
put('httpStatusCode', ARGV[4] ~= '' and ARGV[4] or nil)
put('responseTimeMs', ARGV[5] ~= '' and ARGV[5] or nil)
put('responseBody', opt(ARGV[6]))
put('errorMessage', opt(ARGV[7]))
redis.call('HSET', K_ATTEMPT .. a.id, unpack(f))
-- The claim ends with its result: a second one (a resent call) is stale. A cancel keeps the token,
-- so that its holder learns its result was not stored because of the cancel.
redis.call('HDEL', K_ATTEMPT .. a.id, 'token')
redis.call('ZREM', KEYS[1], a.id)
reindex(a, 'pending', status, now, retention)

local result = ok and 'succeeded' or (retry and 'retry_scheduled' or 'failed')
local disabled, cancelled, next_id, next_at = '', 0, '', ''
-- A test changes no webhook state.
if same and a.trigger ~= 'test' then
  -- One HSET for what a success changes (this runs once per delivery).
  local set = {}
  local function change(name, v)
    set[#set + 1] = name
    set[#set + 1] = v
  end
  if (tonumber(w.lastTriggered or '') or 0) < tonumber(started) then change('lastTriggered', started) end
  if ok then
    if w.failCount ~= '0' then change('failCount', '0') end
    if (tonumber(w.lastDeliveryAt or '') or 0) < tonumber(started) then change('lastDeliveryAt', started) end
    if w.failingSince then redis.call('HDEL', wkey, 'failingSince') end
  end
  if #set > 0 then redis.call('HSET', wkey, unpack(set)) end
  if not ok then
    if not w.failingSince then
      w.failingSince = started
      redis.call('HSET', wkey, 'failingSince', started)
    end
    if not retry then
      -- The delivery ended failed: count it, and check both limits (the clock is checked only here,
      -- so a webhook that gets no events is not disabled).
      local count = redis.call('HINCRBY', wkey, 'failCount', 1)
      local by_count, by_time = tonumber(ARGV[10]), tonumber(ARGV[11])
      if w.enabled ~= '0' then
        if by_count > 0 and count >= by_count then
          disabled = 'consecutive_failures'
        elseif by_time > 0 and now - tonumber(w.failingSince) >= by_time then
          disabled = 'continuous_failure'
        end
      end
      if disabled ~= '' then
        redis.call('HSET', wkey, 'enabled', '0', 'disabledReason', disabled, 'disabledAt', ms(now))
        cancelled = cancel_pending(a.userId, 'disabled', now, retention)
        redis.call('PUBLISH', CHANNEL_DISABLED, '{"userId":' .. cjson.encode(a.userId) .. ',"webhookId":' ..
                   cjson.encode(w.id) .. ',"reason":"' .. disabled .. '","at":"' .. iso(now) .. '"}')
      end
    end
  end
end
if retry then
  local due = ms(now + tonumber(ARGV[8]))
  add_attempt(a, {id = ARGV[9], webhookUrl = w.url or '', attemptNumber = ms(n + 1), maxAttempts = a.maxAttempts,
    isFinalAttempt = n + 1 == max and '1' or '0', trigger = 'automatic', webhookId = a.webhookId,
    retentionMs = ARGV[12]}, due, now, retention)
  next_id, next_at = ARGV[9], due
end
return {'done', result, disabled, cancelled, next_id, next_at}
)lua";

// KEYS[1] webhook:events  KEYS[2] webhook:due  ARGV[1] consumers idle this long (ms) with nothing
// pending are deleted  ARGV[2] the caller's consumer (kept)
// → {entries trimmed, lag, pending, ZCARD due, consumers deleted}
constexpr std::string_view maintain_body = R"lua(
local scheduled = redis.call('ZCARD', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0, 0, scheduled, 0} end
local g = nil
for _, info in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local t = {}
  for i = 1, #info, 2 do t[info[i]] = info[i + 1] end
  if t.name == GROUP then g = t end
end
if not g then return {0, 0, 0, scheduled, 0} end
local last, pending = g['last-delivered-id'], tonumber(g.pending)
local lag = tonumber(g.lag)
if not lag then  -- Redis cannot tell after some deletions: count what follows the last delivered entry
  lag = #redis.call('XRANGE', KEYS[1], '(' .. last, '+', 'COUNT', 100000)
end
-- Everything before the oldest entry still unacknowledged, or else up to the last one delivered.
local minid
if pending > 0 then
  minid = redis.call('XPENDING', KEYS[1], GROUP)[2]
else
  local ms_part, seq = string.match(last, '^(%d+)-(%d+)$')
  minid = ms_part .. '-' .. string.format('%d', tonumber(seq) + 1)
end
local trimmed = redis.call('XTRIM', KEYS[1], 'MINID', minid)
local deleted = 0
for _, info in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], GROUP)) do
  local t = {}
  for i = 1, #info, 2 do t[info[i]] = info[i + 1] end
  if t.name ~= ARGV[2] and tonumber(t.pending) == 0 and tonumber(t.idle) >= tonumber(ARGV[1]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], GROUP, t.name)
    deleted = deleted + 1
  end
end
return {trimmed, lag, pending, scheduled, deleted}
)lua";

// KEYS[1] webhook:<userId>  ARGV[1] deleted | disabled | replaced  ARGV[2] retention ms  → how many
constexpr std::string_view cancel_body = R"lua(
return cancel_pending(user_of(KEYS[1]), ARGV[1], now, tonumber(ARGV[2]))
)lua";

struct script {
    std::string source;
    std::string sha;
};

script const& script_of(engine_step step) {
    auto make = [](std::string_view body) {
        script s{record_lua() + std::string(clock_lua()) + std::string(prelude) + std::string(body), {}};
        s.sha = redis::script_sha1(s.source);
        return s;
    };
    static script const plan = make(plan_body), claim = make(claim_body), complete = make(complete_body),
                        cancel = make(cancel_body), maintain = make(maintain_body);
    switch (step) {
    case engine_step::plan: return plan;
    case engine_step::claim: return claim;
    case engine_step::complete: return complete;
    case engine_step::maintain: return maintain;
    default: return cancel;
    }
}

std::vector<std::string> evalsha(engine_step step, std::vector<std::string> keys) {
    std::vector<std::string> c{"EVALSHA", script_of(step).sha, std::to_string(keys.size())};
    c.insert(c.end(), std::make_move_iterator(keys.begin()), std::make_move_iterator(keys.end()));
    return c;
}

bool all_strings(redis::value const& v) {
    for (auto const& e : v.elements)
        if (e.type != redis::value::kind::string) return false;
    return true;
}

std::optional<send_job> read_job(redis::value const& v) {
    if (v.type != redis::value::kind::array || v.elements.size() != 18 || !all_strings(v)) return std::nullopt;
    auto s = [&v](std::size_t i) -> std::string const& { return v.elements[i].str; };
    auto timeout = integer_of(s(3)), until = integer_of(s(6)), number = integer_of(s(14)), max = integer_of(s(15)),
         due = integer_of(s(16));
    if (!timeout || !until || !number || !max || !due) return std::nullopt;
    send_job j;
    j.record_id = s(0);
    j.token = s(1);
    j.url = s(2);
    j.timeout_ms = *timeout;
    j.secret = s(4);
    j.previous_secret = s(5);
    j.previous_secret_until = *until;
    j.body = s(7);
    j.event_id = s(8);
    j.type = s(9);
    j.delivery_id = s(10);
    j.user_id = s(11);
    j.webhook_id = s(12);
    j.trigger = s(13);
    j.attempt_number = static_cast<int>(*number);
    j.max_attempts = static_cast<int>(*max);
    j.scheduled_at = *due;
    j.reclaimed = s(17) == "1";
    return j;
}

} // namespace

std::string_view engine_script_source(engine_step step) { return script_of(step).source; }

plan_ids new_plan_ids() { return {ids::make_uuid7(), ids::make_uuid7(), ids::make_uuid7()}; }

std::vector<std::string> plan_command(std::string const& entry_id, event_entry const& event, plan_ids const& ids,
                                      engine_limits const& limits, bool claim) {
    auto c = evalsha(engine_step::plan, {std::string(redis::keys::webhook_events), redis::keys::webhook(event.user_id),
                                         std::string(redis::keys::webhook_due)});
    for (auto const* a : {&entry_id, &event.body, &event.event_id, &event.type, &event.user_id, &event.device_id,
                          &event.scene_id})
        c.push_back(*a);
    c.push_back(opt(event.alert_event_id));
    c.push_back(opt(event.severity));
    c.push_back(ids.delivery_id);
    c.push_back(ids.record_id);
    c.push_back(ids.token);
    c.push_back(std::to_string(limits.reclaim_after_ms));
    c.push_back(std::to_string(limits.retention_ms));
    c.emplace_back(claim ? "1" : "0");
    return c;
}

std::vector<std::string> plan_malformed_command(std::string const& entry_id, std::string const& user_id) {
    auto c = evalsha(engine_step::plan, {std::string(redis::keys::webhook_events), redis::keys::webhook(user_id),
                                         std::string(redis::keys::webhook_due)});
    c.push_back(entry_id);
    c.resize(c.size() + 14);  // an empty body: acknowledge only
    return c;
}

std::optional<plan_result> read_plan_reply(redis::value const& v) {
    if (v.type != redis::value::kind::array || v.elements.empty()) return std::nullopt;
    auto const& e = v.elements;
    if (is_word(e[0], "elsewhere") && e.size() == 1) return plan_result{plan_status::planned_elsewhere, {}, {}};
    if (is_word(e[0], "deferred") && e.size() == 1) return plan_result{plan_status::deferred, {}, {}};
    if (is_word(e[0], "dropped") && e.size() == 2 && e[1].type == redis::value::kind::string)
        return plan_result{plan_status::dropped, e[1].str, {}};
    if (is_word(e[0], "planned") && e.size() == 2)
        if (auto job = read_job(e[1])) return plan_result{plan_status::planned, {}, std::move(*job)};
    return std::nullopt;
}

std::vector<std::string> claim_command(std::size_t max, std::string const& token_base, engine_limits const& limits,
                                       claim_scope const& scope) {
    auto c = evalsha(engine_step::claim, {std::string(redis::keys::webhook_due)});
    c.push_back(std::to_string(max));
    c.push_back(token_base);
    c.push_back(std::to_string(limits.reclaim_after_ms));
    c.push_back(std::to_string(limits.retention_ms));
    c.push_back(std::to_string(scope.per_webhook));
    // With a cap, look further than `max`: members of webhooks at the cap are skipped, not taken.
    c.push_back(std::to_string(scope.per_webhook == 0 ? max : std::min<std::size_t>(max * 8 + 64, 2000)));
    for (auto const& [user, n] : scope.busy) {
        c.push_back(user);
        c.push_back(std::to_string(n));
    }
    return c;
}

std::optional<claim_result> read_claim_reply(redis::value const& v) {
    if (v.type != redis::value::kind::array || v.elements.size() != 2 ||
        v.elements[0].type != redis::value::kind::array || v.elements[1].type != redis::value::kind::integer)
        return std::nullopt;
    claim_result r;
    r.cancelled = v.elements[1].integer;
    for (auto const& e : v.elements[0].elements) {
        auto job = read_job(e);
        if (!job) return std::nullopt;
        r.jobs.push_back(std::move(*job));
    }
    return r;
}

std::vector<std::string> complete_command(std::string const& record_id, std::string const& token,
                                          completed_attempt const& result, std::int64_t retry_delay_ms,
                                          std::string const& next_record_id, engine_limits const& limits) {
    auto c = evalsha(engine_step::complete, {std::string(redis::keys::webhook_due)});
    c.push_back(record_id);
    c.push_back(token);
    c.emplace_back(result.success ? "success" : "failed");
    c.push_back(result.http_status ? std::to_string(*result.http_status) : std::string());
    c.push_back(result.response_time_ms ? std::to_string(*result.response_time_ms) : std::string());
    c.push_back(opt(result.response_body));
    c.push_back(opt(result.error_message));
    c.push_back(std::to_string(retry_delay_ms));
    c.push_back(next_record_id);
    c.push_back(std::to_string(limits.disable_after_failures));
    c.push_back(std::to_string(limits.disable_after_ms));
    c.push_back(std::to_string(limits.retention_ms));
    return c;
}

std::optional<complete_result> read_complete_reply(redis::value const& v) {
    if (v.type != redis::value::kind::array || v.elements.empty()) return std::nullopt;
    auto const& e = v.elements;
    if (e.size() == 1 && is_word(e[0], "stale")) return complete_result{completion::stale, {}, 0, {}, 0};
    if (e.size() == 1 && is_word(e[0], "cancelled")) return complete_result{completion::cancelled, {}, 0, {}, 0};
    if (e.size() != 6 || !is_word(e[0], "done") || e[1].type != redis::value::kind::string ||
        e[2].type != redis::value::kind::string || e[3].type != redis::value::kind::integer ||
        e[4].type != redis::value::kind::string || e[5].type != redis::value::kind::string)
        return std::nullopt;
    complete_result r;
    if (e[1].str == "succeeded") r.what = completion::succeeded;
    else if (e[1].str == "failed") r.what = completion::failed;
    else if (e[1].str == "retry_scheduled") r.what = completion::retry_scheduled;
    else return std::nullopt;
    r.disabled_reason = e[2].str;
    r.cancelled = e[3].integer;
    r.next_record_id = e[4].str;
    if (!e[5].str.empty()) {
        auto due = integer_of(e[5].str);
        if (!due) return std::nullopt;
        r.next_due_at = *due;
    }
    return r;
}

std::string_view cancel_reason_name(cancel_reason why) {
    switch (why) {
    case cancel_reason::deleted: return "deleted";
    case cancel_reason::disabled: return "disabled";
    default: return "replaced";
    }
}

std::vector<std::string> cancel_command(std::string const& user_id, cancel_reason why, engine_limits const& limits) {
    auto c = evalsha(engine_step::cancel, {redis::keys::webhook(user_id)});
    c.emplace_back(cancel_reason_name(why));
    c.push_back(std::to_string(limits.retention_ms));
    return c;
}

std::optional<std::int64_t> read_cancel_reply(redis::value const& v) {
    if (v.type != redis::value::kind::integer) return std::nullopt;
    return v.integer;
}

std::vector<std::string> maintain_command(std::chrono::milliseconds consumer_idle, std::string const& consumer) {
    auto c = evalsha(engine_step::maintain,
                     {std::string(redis::keys::webhook_events), std::string(redis::keys::webhook_due)});
    c.push_back(std::to_string(consumer_idle.count()));
    c.push_back(consumer);
    return c;
}

std::optional<maintain_result> read_maintain_reply(redis::value const& v) {
    if (v.type != redis::value::kind::array || v.elements.size() != 5) return std::nullopt;
    for (auto const& e : v.elements)
        if (e.type != redis::value::kind::integer) return std::nullopt;
    auto n = [&v](std::size_t i) { return v.elements[i].integer; };
    return maintain_result{n(0), n(1), n(2), n(3), n(4)};
}

} // namespace ssegw::webhooks

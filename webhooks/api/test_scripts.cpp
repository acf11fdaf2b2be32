#include "webhooks/api/test_scripts.hpp"

#include "common/redis/keys.hpp"
#include "webhooks/engine/record_lua.hpp"
#include "webhooks/engine/script_values.hpp"

#include <charconv>

namespace ssegw::webhooks::test_scripts {
namespace {

using namespace script_values;

// KEYS[1] webhook:<userId>  KEYS[2] webhook:test:<userId>
// ARGV[1] lock token  ARGV[2] record id  ARGV[3] delivery id  ARGV[4] event id  ARGV[5] retention ms
// → {'none'} | {'busy', pttl} | {'started', url, timeoutMs, secret, previousSecret or '', webhookId, now, body}
constexpr std::string_view start_body = R"lua(
local w = hash(KEYS[1])
if not w.id then return {'none'} end
local timeout = tonumber(w.timeoutMs or '') or 5000
-- The lock outlives the test by 5 s only to cover a crash: the finish step deletes it.
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', timeout + 5000) then
  return {'busy', redis.call('PTTL', KEYS[2])}
end
local retention, at, user = tonumber(ARGV[5]), ms(now), user_of(KEYS[1])
-- Ids are UUIDs and the time is digits: nothing here needs escaping, and the bytes are what
-- JSON.stringify(JSON.parse(body)) writes, as for every delivery.
local body = '{"id":"' .. ARGV[4] .. '","type":"webhook_test","timestamp":"' .. iso(now) ..
  '","data":{"webhookId":"' .. w.id .. '","message":"test event"}}'
local delivery = K_DELIVERY .. ARGV[3]
redis.call('HSET', delivery, 'eventId', ARGV[4], 'type', 'webhook_test', 'userId', user, 'webhookId', w.id,
           'payload', body, 'maxAttempts', '1', 'createdAt', at, 'latest', ARGV[2])
redis.call('PEXPIRE', delivery, retention + DAY)
-- Never in webhook:due: no worker claims or retries it. Held like a claimed attempt (a token,
-- claimedAt = the attempt's start), so a PATCH of url meanwhile does not rewrite where it went.
write_attempt({id = ARGV[2], deliveryId = ARGV[3], webhookUrl = w.url or '', notificationId = ARGV[4],
  notificationType = 'webhook_test', status = 'pending', attemptNumber = '1', maxAttempts = '1',
  isFinalAttempt = '1', trigger = 'test', scheduledAt = at, createdAt = at, userId = user, webhookId = w.id,
  retentionMs = ARGV[5], token = ARGV[1], claimedAt = at}, now, retention)
local prev = ''
if w.previousSecret and (tonumber(w.previousSecretUntil or '') or 0) > now then prev = w.previousSecret end
return {'started', w.url or '', ms(timeout), w.secret or '', prev, w.id, at, body}
)lua";

// KEYS[1] webhook:attempt:<id>  KEYS[2] webhook:test:<userId>
// ARGV[1] lock token  ARGV[2] success | failed  ARGV[3] httpStatusCode or ''  ARGV[4] responseTimeMs
// ARGV[5] responseBody  ARGV[6] errorMessage (both '' = none, else '=' .. value)  ARGV[7] retention ms
// → the record's fields and 'payload', value pairs; {} if the record is gone
constexpr std::string_view finish_body = R"lua(
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
local a = hash(KEYS[1])
if not a.id then return {} end
-- A delete or disable meanwhile cancelled it (record_lua): that stays its result.
if a.status == 'pending' then
  local status = ARGV[2]
  local f = {'status', status, 'attemptedAt', a.claimedAt or ms(now)}
  if ARGV[3] ~= '' then f[#f + 1] = 'httpStatusCode'; f[#f + 1] = ARGV[3] end
  f[#f + 1] = 'responseTimeMs'; f[#f + 1] = ARGV[4]
  if ARGV[5] ~= '' then f[#f + 1] = 'responseBody'; f[#f + 1] = string.sub(ARGV[5], 2) end
  if ARGV[6] ~= '' then f[#f + 1] = 'errorMessage'; f[#f + 1] = string.sub(ARGV[6], 2) end
  redis.call('HSET', KEYS[1], unpack(f))
  redis.call('HDEL', KEYS[1], 'token')
  reindex(a, 'pending', status, now, tonumber(ARGV[7]))
end
local r = redis.call('HGETALL', KEYS[1])
local payload = redis.call('HGET', K_DELIVERY .. a.deliveryId, 'payload')
if payload then
  r[#r + 1] = 'payload'
  r[#r + 1] = payload
end
return r
)lua";

std::vector<std::string> eval(std::string_view body, std::string first_key, std::string const& user_id) {
    return {"EVAL", record_lua() + std::string(clock_lua()) + std::string(body), "2", std::move(first_key),
            redis::keys::webhook_test_lock(user_id)};
}

} // namespace

std::vector<std::string> start(std::string const& user_id, test_ids const& ids, std::int64_t retention_ms) {
    auto c = eval(start_body, redis::keys::webhook(user_id), user_id);
    for (auto const* a : {&ids.lock_token, &ids.record_id, &ids.delivery_id, &ids.event_id}) c.push_back(*a);
    c.push_back(std::to_string(retention_ms));
    return c;
}

std::optional<start_result> read_start(redis::value const& v) {
    if (v.type != redis::value::kind::array || v.elements.empty()) return std::nullopt;
    auto const& e = v.elements;
    if (e.size() == 1 && is_word(e[0], "none")) return start_result{no_webhook{}};
    if (e.size() == 2 && is_word(e[0], "busy") && e[1].type == redis::value::kind::integer)
        return start_result{busy{e[1].integer}};
    if (e.size() != 8 || !is_word(e[0], "started")) return std::nullopt;
    for (auto const& x : e)
        if (x.type != redis::value::kind::string) return std::nullopt;
    auto timeout = integer_of(e[2].str), at = integer_of(e[6].str);
    if (!timeout || !at) return std::nullopt;
    return start_result{started{e[1].str, *timeout, e[3].str, e[4].str, e[5].str, *at, e[7].str}};
}

std::vector<std::string> finish(std::string const& user_id, test_ids const& ids, result_fields const& r,
                                std::int64_t retention_ms) {
    auto c = eval(finish_body, redis::keys::webhook_attempt(ids.record_id), user_id);
    c.push_back(ids.lock_token);
    c.emplace_back(r.success ? "success" : "failed");
    c.push_back(r.http_status ? std::to_string(*r.http_status) : std::string());
    c.push_back(std::to_string(r.response_time_ms));
    c.push_back(opt(r.response_body));
    c.push_back(opt(r.error_message));
    c.push_back(std::to_string(retention_ms));
    return c;
}

std::optional<hash_fields> read_finish(redis::value const& v) {
    if (v.type != redis::value::kind::array || v.elements.empty()) return std::nullopt;
    auto fields = v.pairs();
    if (!field_of(fields, "id")) return std::nullopt;
    return fields;
}

} // namespace ssegw::webhooks::test_scripts

#include "webhooks/api/log_scripts.hpp"

#include "common/redis/keys.hpp"
#include "webhooks/engine/record_lua.hpp"
#include "webhooks/engine/script_values.hpp"

namespace ssegw::webhooks::log_scripts {
namespace {

using namespace script_values;

// After record_lua() and clock_lua(): a record as the API reads it.
constexpr std::string_view prelude = R"lua(
-- The attempt hash's pairs plus its delivery's payload (one copy per delivery), and the hash as a table.
local function record(id)
  local raw = try('HGETALL', K_ATTEMPT .. id) or {}
  local a = {}
  for i = 1, #raw, 2 do a[raw[i]] = raw[i + 1] end
  if a.id and a.deliveryId then
    local payload = try('HGET', K_DELIVERY .. a.deliveryId, 'payload')
    if payload then
      raw[#raw + 1] = 'payload'
      raw[#raw + 1] = payload
    end
  end
  return raw, a
end
-- Younger than the retention: older records are never listed, counted or returned.
local function live(a, retention) return a.createdAt ~= nil and tonumber(a.createdAt) > now - retention end
)lua";

// KEYS[1] the index key of the filter  ARGV[1] retention ms  ARGV[2] startDate ms or ''
// ARGV[3] endDate ms or '' (both inclusive)  ARGV[4] offset  ARGV[5] limit
// → {total, record pairs, …}
constexpr std::string_view list_body = R"lua(
local key, retention = KEYS[1], tonumber(ARGV[1])
-- A key of another type lists nothing (record_lua's try).
if not try('ZREMRANGEBYSCORE', key, '-inf', ms(now - retention)) then return {0} end
local lo = now - retention + 1
if ARGV[2] ~= '' then lo = math.max(lo, tonumber(ARGV[2])) end
local hi = ARGV[3] ~= '' and tonumber(ARGV[3]) or nil
local offset, limit = tonumber(ARGV[4]), tonumber(ARGV[5])
-- A member whose record is gone (garbage, or a Redis that dropped keys) leaves the index, and the
-- page is read again, so that the page and the count agree.
for _ = 1, 3 do
  local total = 0
  if not hi or hi >= lo then total = redis.call('ZCOUNT', key, ms(lo), hi and ms(hi) or '+inf') end
  local out = {total}
  if offset >= total then return out end
  -- Newest first: the members above the range come first in reverse order.
  local first = offset + (hi and redis.call('ZCOUNT', key, '(' .. ms(hi), '+inf') or 0)
  local gone = {}
  for _, id in ipairs(redis.call('ZREVRANGE', key, ms(first), ms(first + math.min(limit, total - offset) - 1))) do
    local raw, a = record(id)
    if a.id then out[#out + 1] = raw else gone[#gone + 1] = id end
  end
  if #gone == 0 then return out end
  redis.call('ZREM', key, unpack(gone))
end
return {0}
)lua";

// KEYS[1] webhook:attempt:<id>  ARGV[1] userId  ARGV[2] retention ms  → record pairs, or {}
constexpr std::string_view get_body = R"lua(
local raw, a = record(string.sub(KEYS[1], #K_ATTEMPT + 1))
if a.userId ~= ARGV[1] or not live(a, tonumber(ARGV[2])) then return {} end
return raw
)lua";

// KEYS[1] webhook:<userId>  KEYS[2] webhook:due  ARGV[1] record id  ARGV[2] the new record's id
// ARGV[3] retention ms
// → {'none'} | {'no_webhook'} | {'conflict', why} | {'retried', record pairs}
constexpr std::string_view retry_body = R"lua(
local retention, user = tonumber(ARGV[3]), user_of(KEYS[1])
local a = hash(K_ATTEMPT .. ARGV[1])
if a.userId ~= user or not live(a, retention) then return {'none'} end
local w = hash(KEYS[1])
if not w.id then return {'no_webhook'} end
if a.trigger == 'test' then return {'conflict', 'test'} end
if w.enabled == '0' then return {'conflict', 'disabled'} end
local dkey = K_DELIVERY .. a.deliveryId
if redis.call('EXISTS', dkey) == 0 then return {'none'} end
-- Attempts of a delivery follow one another, so only its newest one can be pending.
local latest = a
local latest_id = redis.call('HGET', dkey, 'latest')
if latest_id and latest_id ~= a.id then
  local l = hash(K_ATTEMPT .. latest_id)
  if l.id then latest = l end
end
if latest.status == 'pending' then return {'conflict', 'pending'} end
local n = ms((tonumber(latest.attemptNumber) or 1) + 1)
-- To the webhook as it is now (its URL, its secret when sent), due at once: no automatic retries follow it.
add_attempt(a, {id = ARGV[2], webhookUrl = w.url or '', attemptNumber = n, maxAttempts = n, isFinalAttempt = '1',
  trigger = 'manual', webhookId = w.id, retentionMs = ARGV[3]}, ms(now), now, retention)
return {'retried', (record(ARGV[2]))}
)lua";

std::vector<std::string> eval(std::string_view body, std::vector<std::string> keys) {
    std::vector<std::string> c{"EVAL", record_lua() + std::string(clock_lua()) + std::string(prelude) + std::string(body),
                               std::to_string(keys.size())};
    for (auto& k : keys) c.push_back(std::move(k));
    return c;
}

// '' = open, else the bound in ms.
std::string bound(std::optional<std::int64_t> ms) { return ms ? std::to_string(*ms) : std::string(); }

// A record's pairs; nullopt if `v` is not an HGETALL-shaped reply with an id.
std::optional<hash_fields> record_of(redis::value const& v) {
    if (v.type != redis::value::kind::array) return std::nullopt;
    auto fields = v.pairs();
    if (!field_of(fields, "id")) return std::nullopt;
    return fields;
}

} // namespace

std::vector<std::string> list(std::string const& user_id, log_query const& q, std::int64_t retention_ms) {
    auto c = eval(list_body, {redis::keys::webhook_index(user_id, q.status.empty() ? "*" : q.status,
                                                         redis::keys::webhook_index_part(q.device_id),
                                                         redis::keys::webhook_index_part(q.scene_id))});
    c.push_back(std::to_string(retention_ms));
    c.push_back(bound(q.start_ms));
    c.push_back(bound(q.end_ms));
    c.push_back(std::to_string(offset_of(q)));
    c.push_back(std::to_string(q.limit));
    return c;
}

std::optional<page> read_list(redis::value const& v) {
    if (v.type != redis::value::kind::array || v.elements.empty() ||
        v.elements[0].type != redis::value::kind::integer)
        return std::nullopt;
    page p{v.elements[0].integer, {}};
    for (std::size_t i = 1; i < v.elements.size(); ++i) {
        auto r = record_of(v.elements[i]);
        if (!r) return std::nullopt;
        p.records.push_back(std::move(*r));
    }
    return p;
}

std::vector<std::string> get(std::string const& user_id, std::string const& record_id, std::int64_t retention_ms) {
    auto c = eval(get_body, {redis::keys::webhook_attempt(record_id)});
    c.push_back(user_id);
    c.push_back(std::to_string(retention_ms));
    return c;
}

std::optional<hash_fields> read_get(redis::value const& v) {
    if (v.type == redis::value::kind::array && v.elements.empty()) return hash_fields{};
    return record_of(v);
}

std::vector<std::string> retry(std::string const& user_id, std::string const& record_id,
                               std::string const& new_record_id, std::int64_t retention_ms) {
    auto c = eval(retry_body, {redis::keys::webhook(user_id), std::string(redis::keys::webhook_due)});
    c.push_back(record_id);
    c.push_back(new_record_id);
    c.push_back(std::to_string(retention_ms));
    return c;
}

std::optional<retry_result> read_retry(redis::value const& v) {
    if (v.type != redis::value::kind::array || v.elements.empty()) return std::nullopt;
    auto const& e = v.elements;
    if (e.size() == 1 && is_word(e[0], "none")) return retry_result{not_found{}};
    if (e.size() == 1 && is_word(e[0], "no_webhook")) return retry_result{no_webhook{}};
    if (e.size() == 2 && is_word(e[0], "conflict") && e[1].type == redis::value::kind::string)
        return retry_result{conflict{e[1].str}};
    if (e.size() == 2 && is_word(e[0], "retried"))
        if (auto r = record_of(e[1])) return retry_result{std::move(*r)};
    return std::nullopt;
}

} // namespace ssegw::webhooks::log_scripts

#include "webhooks/api/webhook_scripts.hpp"

#include "common/redis/keys.hpp"
#include "webhooks/engine/record_lua.hpp"

namespace ssegw::webhooks::scripts {
namespace {

// Shared head of every script: the webhook's key, and now in unix ms from Redis.
constexpr std::string_view prelude = R"lua(
local key = KEYS[1]
local t = redis.call('TIME')
local now = string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000))
)lua";

// ARGV: n, then n name/value pairs to set, then names to delete.
constexpr std::string_view create_source = R"lua(
if redis.call('EXISTS', key) == 1 then return 0 end
local n = tonumber(ARGV[1])
redis.call('HSET', key, 'createdAt', now, 'updatedAt', now, unpack(ARGV, 2, 1 + 2 * n))
if redis.call('HGET', key, 'enabled') == '0' then redis.call('HSET', key, 'disabledAt', now) end
return redis.call('HGETALL', key)
)lua";

// ARGV[1] enable | disable | '' ; ARGV[2] n; n pairs to set; then names to delete.
constexpr std::string_view update_source = R"lua(
if redis.call('EXISTS', key) == 0 then return 0 end
local enabled = redis.call('HGET', key, 'enabled') ~= '0'
if ARGV[1] == 'disable' and enabled then
  redis.call('HSET', key, 'enabled', '0', 'disabledReason', 'manual', 'disabledAt', now)
  -- Nothing this webhook had scheduled is sent any more (record_lua).
  cancel_pending(user_of(key), 'disabled', tonumber(now))
elseif ARGV[1] == 'enable' and not enabled then
  redis.call('HSET', key, 'enabled', '1', 'failCount', '0')
  redis.call('HDEL', key, 'disabledReason', 'disabledAt', 'failingSince')
end
local n = tonumber(ARGV[2])
local url = redis.call('HGET', key, 'url')
redis.call('HSET', key, 'updatedAt', now)
if n > 0 then redis.call('HSET', key, unpack(ARGV, 3, 2 + 2 * n)) end
if #ARGV > 2 + 2 * n then redis.call('HDEL', key, unpack(ARGV, 3 + 2 * n)) end
-- A pending record shows where it will go (record_lua).
local new_url = redis.call('HGET', key, 'url')
if new_url and new_url ~= url then follow_url(user_of(key), new_url) end
return redis.call('HGETALL', key)
)lua";

// The delivery log stays; its pending attempts end (record_lua).
constexpr std::string_view remove_source = R"lua(
local n = redis.call('DEL', key)
if n == 1 then cancel_pending(user_of(key), 'deleted', tonumber(now)) end
return n
)lua";

// ARGV[1] the new sealed secret; ARGV[2] grace in ms.
constexpr std::string_view regenerate_source = R"lua(
if redis.call('EXISTS', key) == 0 then return 0 end
local grace = tonumber(ARGV[2])
if grace > 0 then
  redis.call('HSET', key, 'previousSecret', redis.call('HGET', key, 'secret'),
             'previousSecretUntil', string.format('%d', tonumber(now) + grace))
else
  redis.call('HDEL', key, 'previousSecret', 'previousSecretUntil')
end
redis.call('HSET', key, 'secret', ARGV[1], 'updatedAt', now)
return redis.call('HGETALL', key)
)lua";

std::vector<std::string> eval(std::string_view body, std::string const& user_id) {
    return {"EVAL", std::string(prelude) + std::string(body), "1", redis::keys::webhook(user_id)};
}

// The scripts that end a webhook's pending attempts carry the engine's record functions too.
std::vector<std::string> eval_with_records(std::string_view body, std::string const& user_id) {
    return {"EVAL", record_lua() + std::string(prelude) + std::string(body), "1", redis::keys::webhook(user_id)};
}

void append_writes(std::vector<std::string>& args, field_writes const& w) {
    args.push_back(std::to_string(w.set.size() / 2));
    args.insert(args.end(), w.set.begin(), w.set.end());
    args.insert(args.end(), w.del.begin(), w.del.end());
}

} // namespace

std::vector<std::string> create(std::string const& user_id, field_writes const& w) {
    auto args = eval(create_source, user_id);
    append_writes(args, w);
    return args;
}

std::vector<std::string> update(std::string const& user_id, field_writes const& w, std::optional<bool> enabled) {
    auto args = eval_with_records(update_source, user_id);
    args.push_back(!enabled ? "" : *enabled ? "enable" : "disable");
    append_writes(args, w);
    return args;
}

std::vector<std::string> remove(std::string const& user_id) { return eval_with_records(remove_source, user_id); }

std::vector<std::string> regenerate(std::string const& user_id, std::string const& sealed_secret, std::int64_t grace_ms) {
    auto args = eval(regenerate_source, user_id);
    args.push_back(sealed_secret);
    args.push_back(std::to_string(grace_ms));
    return args;
}

} // namespace ssegw::webhooks::scripts

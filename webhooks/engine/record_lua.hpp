// The Lua functions every script that writes delivery records shares (the engine's steps and the
// management API's delete and disable): key names, the delivery-log index, cancelling attempts.
#pragma once

#include <string>
#include <string_view>

namespace ssegw::webhooks {

/// Lua source defining, as locals (no KEYS or ARGV used; `now` is unix ms from Redis TIME):
///   try(command, ...)                redis.pcall that answers nil for an error (a key of another type)
///   hash(key)                        HGETALL as a table ({} for a key of another type)
///   iso(ms)                          YYYY-MM-DDTHH:MM:SS.mmmZ
///   write_attempt(a, now, retention) HSET a new attempt record, its TTL, indexed as pending
///   add_attempt(a, t, due, now, retention)  the next attempt of a's delivery, due at `due`: written,
///                                    in webhook:due, the delivery's `latest`, its TTL renewed
///   reindex(a, from, to, now, retention)   move a record between statuses in the index
///   cancel_attempt(a, why, now, retention) one pending attempt → failed, 'cancelled: webhook <why>'
///   cancel_pending(user, why, now, retention) every pending attempt of the user; → how many
///   follow_url(user, url)            pending attempts not yet claimed will go to `url`
///   user_of(webhook_key)             the user id in a webhook:<userId> key
/// `retention` (ms) may be nil: each record's own `retentionMs` (the worker's that wrote it) is
/// used then, which is how the gateway's scripts, which are not given one, keep the same bounds.
std::string const& record_lua();

/// Lua source defining `now`, unix ms from Redis TIME: the clock every instance's records share.
/// For scripts that run after record_lua().
std::string_view clock_lua();

} // namespace ssegw::webhooks

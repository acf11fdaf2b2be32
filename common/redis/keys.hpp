// Every Redis key and channel name the platform reads or writes, in one place: the gateway,
// the tools, the benchmark and the tests build them here and nowhere else.
#pragma once

#include <string>
#include <string_view>

namespace ssegw::redis::keys {

/// Hash of one API key's record (userId, scopes, expiresAt, revoked), by sha256-hex of the key.
inline std::string api_key(std::string_view key_hash) { return "apikey:" + std::string(key_hash); }
/// Channel on which a revoked key's sha256-hex is published: every instance ends its streams.
inline constexpr std::string_view revoked_channel = "apikey:revoked";
/// Set of the device ids a user owns.
inline std::string user_devices(std::string_view user_id) { return "user:" + std::string(user_id) + ":devices"; }
/// Pub/sub channels of one device's and one user's results.
inline std::string device_channel(std::string_view device_id) { return "analysis:device:" + std::string(device_id); }
inline std::string user_channel(std::string_view user_id) { return "analysis:user:" + std::string(user_id); }
/// The replay log (a Redis stream) behind a channel.
inline std::string log_of(std::string_view channel) { return std::string(channel) + ":log"; }
/// Sorted set of a user's stream leases across instances (the per-user cap).
inline std::string user_leases(std::string_view user_id) { return "sse:conns:" + std::string(user_id); }
/// A stream ticket, by sha256-hex of the ticket.
inline std::string ticket(std::string_view ticket_hash) { return "ticket:" + std::string(ticket_hash); }

/// Hash of a user's webhook (its settings, sealed secrets and failure state).
inline std::string webhook(std::string_view user_id) { return "webhook:" + std::string(user_id); }

/// The stream of every user's platform events, waiting for delivery.
inline constexpr std::string_view webhook_events = "webhook:events";
/// Duplicate guard of one published event (24 h): the entry id it was added as.
inline std::string webhook_event_id(std::string_view user_id, std::string_view event_id) {
    return "webhook:evtid:" + std::string(user_id) + ":" + std::string(event_id);
}

} // namespace ssegw::redis::keys

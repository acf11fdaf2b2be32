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

/// The consumer group every sse-webhookd instance reads webhook:events in.
inline constexpr std::string_view webhook_group = "sse-webhookd";
/// Sorted set of the attempt record ids waiting to be sent, scored by due time in unix ms (the
/// lease end while one is claimed).
inline constexpr std::string_view webhook_due = "webhook:due";
/// Hash of one delivery: an event for one webhook (its body, ids, maxAttempts).
inline std::string webhook_delivery(std::string_view delivery_id) {
    return "webhook:delivery:" + std::string(delivery_id);
}
/// Hash of one attempt record (the delivery log's record plus its claim token).
inline std::string webhook_attempt(std::string_view record_id) { return "webhook:attempt:" + std::string(record_id); }
/// One part of a delivery-log index key: the id as lowercase hex of its bytes, "*" for none.
inline std::string webhook_index_part(std::string_view id) {
    if (id.empty()) return "*";
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * id.size());
    for (unsigned char c : id) {
        hex += digits[c >> 4];
        hex += digits[c & 0x0f];
    }
    return hex;
}
/// Sorted set of a user's record ids scored by createdAt ms, for one status ("*": any) and one
/// device and scene (webhook_index_part of each, "*": any).
inline constexpr std::string_view webhook_index_prefix = "webhook:idx:";
inline std::string webhook_index(std::string_view user_id, std::string_view status, std::string_view device_part,
                                 std::string_view scene_part) {
    return std::string(webhook_index_prefix) + std::string(user_id) + ":" + std::string(status) + ":" +
           std::string(device_part) + ":" + std::string(scene_part);
}
/// A user's test-request lock (POST …/webhook/test): the running test's token, PX timeoutMs + 5 s.
inline std::string webhook_test_lock(std::string_view user_id) { return "webhook:test:" + std::string(user_id); }
/// Channel of auto-disable notices: {"userId","webhookId","reason","at"}.
inline constexpr std::string_view webhook_disabled_channel = "webhook:disabled";

} // namespace ssegw::redis::keys

// Stream tickets (docs/API.md): single-use, short-lived credentials a browser trades its
// key for (POST /api/v1/stream-tickets) so the long-lived key never travels in a URL. Pure logic;
// the Redis calls that use it live in stream_opener.
//
// Redis: hash ticket:<sha256-hex(ticket)> with keyHash, userId, scopes and optional deviceId,
// written with its TTL in one script and read-and-deleted in one script (single use even when two
// requests race). The raw ticket is never stored or logged.
#pragma once

#include "common/http/api_error.hpp"
#include "gateway/stream_metrics.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ssegw::gateway {

inline constexpr std::size_t ticket_body_limit = 1024;

/// A new ticket: 32 bytes from OpenSSL's RAND_bytes as 64 lowercase hex characters; empty if the
/// generator failed.
std::string new_ticket();

/// Whether `t` has the shape new_ticket() gives (64 lowercase hex); anything else is refused
/// without asking Redis.
bool well_formed_ticket(std::string_view t);

/// "ticket:<sha256-hex(t)>".
std::string ticket_redis_key(std::string_view t);

/// What the POST body asks for: the device the ticket is limited to, if any.
struct ticket_body {
    std::optional<std::string> device_id;
};

/// Validates the POST body: empty, or (Content-Type application/json) a JSON object with an
/// optional string `deviceId` (a valid device id); at most ticket_body_limit bytes.
std::variant<web::api_error, ticket_body> parse_ticket_body(std::string_view content_type, std::string_view body);

/// The fields of hash ticket:<…>; `found` is false when it did not exist (unknown, used, expired).
struct ticket_record {
    bool found = false;
    std::string key_hash;
    std::string user_id;
    std::string scopes;
    std::optional<std::string> device_id;
};

ticket_record ticket_record_from_fields(std::vector<std::pair<std::string, std::string>> const& fields);

/// nullopt: the ticket may open this stream. A ticket limited to a device opens only that
/// device's stream (403 for another device or the all-stream).
std::optional<web::api_error> check_ticket_target(ticket_record const& t, stream_kind kind, std::string_view device_id);

/// EVAL arguments that store the ticket record under `redis_key` for `ttl` (HSET + PEXPIRE, atomically).
std::vector<std::string> ticket_store_command(std::string const& redis_key, ticket_record const& t,
                                              std::chrono::milliseconds ttl);
/// EVAL arguments that return the ticket hash's fields and delete it, atomically (empty if none).
std::vector<std::string> ticket_take_command(std::string const& redis_key);

/// `expiresIn` for a ttl: whole seconds, rounded up, at least 1.
std::int64_t ticket_expires_in(std::chrono::milliseconds ttl);

} // namespace ssegw::gateway

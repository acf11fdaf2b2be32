// One delivery attempt as the worker sees it: what to POST where, and how it went (the fields a
// delivery record, a metric label and a retry decision are made from).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssegw::webhooks {

enum class outcome { success, http_status, timeout, dns, connect, tls, protocol, blocked, internal, cancelled };
/// How many outcomes there are: the size of an array indexed by outcome (a metric's series).
inline constexpr std::size_t outcome_count = static_cast<std::size_t>(outcome::cancelled) + 1;

/// "success", "http_status", …: the metric label and the errorMessage prefix.
std::string_view name_of(outcome o);

struct attempt_request {
    std::string url;   // already checked by acceptable_url
    std::string body;  // the exact bytes
    /// The signed headers (X-SaaS-*, webhook-*, Content-Type); the sender adds Host, User-Agent,
    /// Content-Length and Connection.
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds timeout{5000};  // bounds DNS + connect + TLS + send + response head together
};

struct attempt_result {
    outcome result = outcome::internal;
    std::optional<int> status;  // the HTTP status, when one was read
    /// The first <= 4096 bytes, cut at a UTF-8 boundary, invalid sequences as U+FFFD; "" for an
    /// empty body; nullopt without a response.
    std::optional<std::string> response_body;
    std::string error_message;  // empty on success, else "<outcome>: <detail>"
    std::int64_t response_time_ms = 0;  // from the start (before DNS) to the end of the response head or the failure
    std::optional<std::chrono::seconds> retry_after;  // the response's Retry-After, when present and valid
};

} // namespace ssegw::webhooks

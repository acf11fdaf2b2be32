// The delivery log's Redis steps (list, get, manual retry), each one Lua script so that what it
// answers is one consistent view, with readers of their replies.
#pragma once

#include "common/redis/value.hpp"
#include "webhooks/api/log_query.hpp"
#include "webhooks/model/webhook_record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ssegw::webhooks::log_scripts {

/// One page of the caller's records and the count it belongs to, read atomically from the one index
/// key that holds exactly the filter's records (status, device, scene), by rank: ZCOUNT for the
/// count and where the date range starts, ZREVRANGE for the page, so page 900 costs what page 1
/// does. Records as old as the retention are trimmed from that key first and never counted.
std::vector<std::string> list(std::string const& user_id, log_query const& q, std::int64_t retention_ms);

struct page {
    std::int64_t total = 0;
    std::vector<hash_fields> records;  // record_json's input: the attempt hash plus the payload
};
/// nullopt: not this script's reply (an error reply included).
std::optional<page> read_list(redis::value const& v);

/// The record if it is the caller's and younger than the retention.
std::vector<std::string> get(std::string const& user_id, std::string const& record_id, std::int64_t retention_ms);
/// An empty hash_fields: no such record for this caller. nullopt: not this script's reply.
std::optional<hash_fields> read_get(redis::value const& v);

/// Adds a manual attempt (`new_record_id`) to the record's delivery: the next attempt number, the
/// current URL and webhook, due at once, final; refused while the webhook is disabled, while the
/// delivery has a pending attempt, and for a test.
std::vector<std::string> retry(std::string const& user_id, std::string const& record_id,
                               std::string const& new_record_id, std::int64_t retention_ms);

struct not_found {};  // unknown, expired or another user's record
struct no_webhook {};
struct conflict {
    std::string why;  // disabled | pending | test
};
using retry_result = std::variant<not_found, no_webhook, conflict, hash_fields>;
std::optional<retry_result> read_retry(redis::value const& v);

} // namespace ssegw::webhooks::log_scripts

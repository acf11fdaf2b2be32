// The entries of webhook:events as XREADGROUP and XAUTOCLAIM return them, read out of the reply.
// Pure: anything that is not an entry (another producer's garbage included) is skipped or, for a
// reply of the wrong shape, refused as a whole.
#pragma once

#include "common/redis/value.hpp"
#include "webhooks/model/webhook_record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ssegw::webhookd {

struct stream_entry {
    std::string id;                   // "<ms>-<seq>"
    webhooks::hash_fields fields;     // empty for an entry deleted while pending
};

/// XREADGROUP … STREAMS webhook:events >: nil (the BLOCK timed out) is no entries.
std::optional<std::vector<stream_entry>> read_group_reply(redis::value const& v);

struct autoclaim_reply {
    std::string next_cursor;  // "0-0" when the scan is complete
    std::vector<stream_entry> entries;
    std::vector<std::string> deleted;  // pending ids whose entries no longer exist
};
/// XAUTOCLAIM (Redis 7: cursor, entries, deleted ids).
std::optional<autoclaim_reply> read_autoclaim_reply(redis::value const& v);

/// The unix ms an entry id was made at (its first part); nullopt when it is not an entry id.
std::optional<std::int64_t> entry_time_ms(std::string const& id);

} // namespace ssegw::webhookd

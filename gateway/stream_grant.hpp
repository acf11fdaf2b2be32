// What a successful stream request was granted: whose it is, which channel it reads, and the
// Redis lease that counts it against the user's cap.
#pragma once

#include "gateway/stream_metrics.hpp"

#include <string>

namespace ssegw::gateway {

struct stream_grant {
    std::string user_id;
    std::string key_hash;      // sha256-hex of the key: revocation matches on it
    std::string channel;       // analysis:device:<id> or analysis:user:<id>
    std::string lease_member;  // member of sse:conns:<userId>; empty for HEAD (no lease)
    stream_kind kind = stream_kind::device;
};

} // namespace ssegw::gateway

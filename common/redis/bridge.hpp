// Lets request handlers on worker threads use the Redis client that lives on the control thread:
// each call hops onto the client's executor, and its answer, copied out of hiredis, back onto the
// caller's.
#pragma once

#include "common/auth/key_lookup.hpp"
#include "common/net.hpp"
#include "common/redis/client.hpp"
#include "common/redis/value.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ssegw::redis {

class bridge {
public:
    explicit bridge(client& c) : client_(c) {}

    /// nullopt: Redis is unavailable (not connected, or the connection failed meanwhile).
    using value_handler = std::function<void(std::optional<value>)>;
    void command(std::vector<std::string> args, net::any_io_executor reply_to, value_handler done);

    /// The key's record when it is usable and holds one of the scopes (none: any usable key).
    void lookup_key(std::string key_hash, std::vector<std::string_view> any_of_scopes, net::any_io_executor reply_to,
                    std::function<void(auth::lookup_result)> done);

private:
    client& client_;
};

} // namespace ssegw::redis

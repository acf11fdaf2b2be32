// Looks an API key up in Redis (HGETALL apikey:<sha256-hex>) and checks it for the scopes a
// request needs. Asynchronous, on the Redis client's thread; answers exactly once.
#pragma once

#include "common/auth/api_key.hpp"
#include "common/redis/client.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <variant>

namespace ssegw::auth {

using lookup_result = std::variant<web::api_error, key_record>;

/// `done` gets the usable record, or the refusal (503 when Redis failed).
void lookup_key(redis::client& redis, std::string const& key_hash, std::vector<std::string_view> any_of_scopes,
                std::function<void(lookup_result)> done);

/// The field/value pairs of an HGETALL-shaped array reply.
std::vector<std::pair<std::string, std::string>> fields_of(redisReply const* r);

} // namespace ssegw::auth

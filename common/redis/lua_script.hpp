// Running a Lua script the way every producer should: EVALSHA by its SHA1, and on NOSCRIPT (a fresh,
// restarted or flushed server) SCRIPT LOAD and once more. Shared by the project's scripts.
#pragma once

#include "common/redis/client.hpp"
#include "common/redis/sync_client.hpp"
#include "common/redis/value.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssegw::redis {

/// The lowercase SHA1 hex of `source`: the name EVALSHA knows the script by. Throws sync_error if
/// OpenSSL has no SHA1.
std::string script_sha1(std::string_view source);

/// Sends `evalsha` (a whole EVALSHA command naming `source`'s SHA1) and returns its reply; on
/// NOSCRIPT loads `source` and sends it again. Error replies are returned, not thrown; throws
/// sync_error on I/O failure. Not for use between append() and get_reply() of the caller's pipeline.
reply_ptr evalsha_or_load(sync_client& redis, std::string_view source, std::vector<std::string> const& evalsha);

/// The same on an async client: `done` gets the reply (an error reply too), or nullopt when the
/// connection failed or was lost; it runs once, on the client's executor. `source` must outlive the
/// call (the scripts are static).
void evalsha_or_load(client& redis, std::string_view source, std::vector<std::string> evalsha,
                     std::function<void(std::optional<value>)> done);

} // namespace ssegw::redis

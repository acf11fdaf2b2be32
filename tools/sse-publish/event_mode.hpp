// The --event mode of sse-publish: publishes platform events for webhooks into webhook:events
// through the event script, from one argument or one `data` per stdin line, printing each id.
#pragma once

#include "common/redis/url.hpp"
#include "webhooks/events/event_input.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace ssegw::redis {
class sync_client;
}

namespace ssegw::publish {

struct event_options {
    redis::endpoint redis;
    webhooks::event_flags flags;
    std::optional<std::string> data;  // nullopt: one `data` JSON per stdin line
    std::uint64_t max_backlog = 1'000'000;
};

/// Publishes one checked event through the event script (the path of every event sse-publish
/// sends, --demo's too), saying on stderr, after `where` ("", "line N: ", "demo: "), what was not
/// added. Returns 0 added or duplicate, 1 BACKLOG_FULL, 2 refused by the script. Throws
/// redis::sync_error on a Redis error.
int publish_one_event(redis::sync_client& redis, webhooks::event_fields const& e, std::uint64_t max_backlog,
                      std::string const& where);

/// Prints each event's id on stdout (a duplicate's too, with `duplicate` on stderr). Returns the
/// exit code: 0 all published; 2 a bad flag or input (a bad stdin line is reported and skipped);
/// 1 BACKLOG_FULL (stops there). Throws redis::sync_error on a Redis error.
int run_events(event_options const& opt);

} // namespace ssegw::publish

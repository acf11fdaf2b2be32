// One webhook event from sse-publish's flags and a producer's `data`: every check and refusal of
// the contract, made before anything reaches Redis, and the script's arguments. Pure.
#pragma once

#include "webhooks/events/publish_event_script.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ssegw::webhooks {

/// What the flags say, as given (nullopt: flag not given).
struct event_flags {
    std::string type;
    std::string user;
    std::optional<std::string> device;     // "" = none (data.deviceId is not used either)
    std::optional<std::string> scene;      // "" = none (data.sceneId is not used either)
    std::optional<std::string> event_id;   // any UUID, any case; not given: a new UUIDv7 per event
    std::optional<std::string> timestamp;  // ISO 8601 with Z or ±HH:MM; not given: Redis TIME
};

/// The flags' part of every event, checked once (type, user, ids, event id, time).
struct event_template {
    std::string type;
    std::string user;
    std::optional<std::string> device, scene;
    std::optional<std::string> event_id;  // lowercase
    std::string time_ms;                  // unix ms digits, "" = Redis TIME
};

/// Checks the flags; nullopt with a one-line reason in `error` if any is bad.
std::optional<event_template> check_event_flags(event_flags const& flags, std::string& error);

/// One event: `data_json` re-serialised as ECMAScript does (the bytes the signature will cover)
/// with every refusal of that, device and scene from the template or else from data.deviceId /
/// data.sceneId when those are strings, and the event id. Nullopt with a one-line reason in `error`.
std::optional<event_fields> assemble_event(event_template const& t, std::string_view data_json, std::string& error);

/// Both steps for a single event.
std::optional<event_fields> make_event(event_flags const& flags, std::string_view data_json, std::string& error);

} // namespace ssegw::webhooks

// A webhook:events entry read into what its delivery is made of: the request body (data re-serialised
// as JSON.stringify writes it, so signatures cover what a verifier re-stringifies), or why it is malformed.
#pragma once

#include "webhooks/model/webhook_record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace ssegw::webhooks {

/// An entry that can be delivered.
struct event_entry {
    std::string event_id;  // lowercase UUID
    std::string type;      // a catalogue type
    std::string user_id;
    std::string device_id;  // "" = none
    std::string scene_id;   // "" = none
    std::int64_t time_ms = 0;
    /// {"id","type","timestamp","data"}: the bytes every attempt of the delivery sends.
    std::string body;
    /// data.alertEventId / data.severity when they are strings (the delivery log shows them).
    std::optional<std::string> alert_event_id;
    std::optional<std::string> severity;
};

/// An entry that is dropped as `malformed`; `reason` says why (for the log, never for receivers).
struct malformed_event {
    std::string reason;
};

/// Reads an entry's fields (eventId type userId deviceId sceneId ts data, as the publish script
/// writes them). Anything another producer got wrong is malformed: a missing field, an event id
/// that is not a lowercase UUID, a type outside the catalogue, ids breaking the device-id rule,
/// a time that is not unix ms in years 0000-9999, and data that json::ecma_serialize_event_data refuses. Pure.
std::variant<event_entry, malformed_event> read_event(hash_fields const& entry);

} // namespace ssegw::webhooks

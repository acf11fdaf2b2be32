// Decides a stream request on the control thread: key look-up by SHA-256 (or a single-use stream
// ticket), scope, expiry and revocation checks, device ownership, and the per-user lease. Also
// issues stream tickets (POST /api/v1/stream-tickets). All Redis calls are async.
#pragma once

#include "common/http/api_error.hpp"
#include "common/auth/key_lookup.hpp"
#include "gateway/lease_keeper.hpp"
#include "gateway/stream_metrics.hpp"
#include "gateway/stream_grant.hpp"
#include "gateway/ticket_rules.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace ssegw::gateway {

struct open_request {
    enum class action { open_stream, issue_ticket };
    action what = action::open_stream;
    std::string key;         // the API key; empty when a stream is opened with `ticket`
    std::string ticket;      // open_stream only: a stream ticket in place of the key
    stream_kind kind = stream_kind::all;
    std::string device_id;   // open_stream: the device_stream's device; issue_ticket: the device
                             // the ticket is limited to (empty: any stream of the key's user)
    bool take_lease = true;  // HEAD checks access without holding a slot
    std::chrono::milliseconds ticket_ttl{60000};  // issue_ticket only
};

/// A ticket was issued: the raw ticket (only ever sent to the client) and its lifetime.
struct ticket_issued {
    std::string ticket;
    std::int64_t expires_in = 0;  // seconds
};

using open_result = std::variant<web::api_error, stream_grant, ticket_issued>;

class stream_opener {
public:
    stream_opener(redis::client& redis, lease_keeper& leases, unsigned max_per_user)
        : redis_(redis), leases_(leases), max_per_user_(max_per_user) {}

    /// `done` runs on the control thread, exactly once.
    void open(open_request req, std::function<void(open_result)> done);

private:
    using key_handler = std::function<void(auth::lookup_result)>;
    /// HGETALL apikey:<key_hash> and check_key(); `next` gets the usable record or the refusal.
    void load_key(std::string const& key_hash, key_handler next);
    void open_with_ticket(open_request req, std::function<void(open_result)> done);
    void issue_ticket(open_request req, std::function<void(open_result)> done);
    void store_ticket(ticket_record t, std::chrono::milliseconds ttl, std::function<void(open_result)> done);
    /// The key (or the ticket's key) is good: device ownership, channel, lease.
    void grant(stream_grant g, open_request const& req, std::function<void(open_result)> done);
    /// SISMEMBER user:<user>:devices: `next` gets nothing when the user owns the device, else the refusal.
    void owns_device(std::string const& user_id, std::string const& device_id,
                     std::function<void(std::optional<web::api_error>)> next);
    void check_device(stream_grant g, std::string device_id, bool take_lease, std::function<void(open_result)> done);
    void take_lease(stream_grant g, std::function<void(open_result)> done);

    redis::client& redis_;
    lease_keeper& leases_;
    unsigned max_per_user_;
};

} // namespace ssegw::gateway

// Decides a stream request on the control thread: key look-up by SHA-256, scope, expiry and
// revocation checks, device ownership, and the per-user lease. All Redis calls are async.
#pragma once

#include "gateway/api_error.hpp"
#include "gateway/lease_keeper.hpp"
#include "gateway/router.hpp"
#include "gateway/stream_grant.hpp"

#include <functional>
#include <string>
#include <variant>

namespace ssegw::gateway {

struct open_request {
    std::string key;
    route_kind kind = route_kind::all_stream;
    std::string device_id;
    bool take_lease = true;  // HEAD checks access without holding a slot
};

using open_result = std::variant<api_error, stream_grant>;

class stream_opener {
public:
    stream_opener(redis::client& redis, lease_keeper& leases, unsigned max_per_user)
        : redis_(redis), leases_(leases), max_per_user_(max_per_user) {}

    /// `done` runs on the control thread, exactly once.
    void open(open_request req, std::function<void(open_result)> done);

private:
    void check_device(stream_grant g, std::string device_id, bool take_lease, std::function<void(open_result)> done);
    void take_lease(stream_grant g, std::function<void(open_result)> done);

    redis::client& redis_;
    lease_keeper& leases_;
    unsigned max_per_user_;
};

} // namespace ssegw::gateway

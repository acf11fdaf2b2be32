// What a stream needs from the worker that owns it: the worker's channel hub, the control side
// (stream_services), the frames every stream of the worker shares, and the worker's executor.
// Streams see this, not the worker, so the worker can own streams without a dependency loop.
#pragma once

#include "common/net.hpp"
#include "common/sse/frame.hpp"

namespace ssegw::gateway {

class channel_hub;
class stream_services;

/// Built once per worker; every stream writes these very bytes.
struct shared_frames {
    sse::frame_ptr retry, keepalive, revoked, last_chunk, unavailable;
};

struct stream_context {
    channel_hub& hub;
    stream_services& services;
    shared_frames const& frames;
    net::any_io_executor executor;
};

} // namespace ssegw::gateway

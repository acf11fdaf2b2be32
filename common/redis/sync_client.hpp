// A blocking Redis connection for tools and tests (sse-publish, sse-bench's seeding, test fixtures).
// Never used on the gateway's event loops: those go through redis::client.
#pragma once

#include "common/redis/url.hpp"

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ssegw::redis {

struct reply_deleter {
    void operator()(redisReply* r) const noexcept { if (r) freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

/// Thrown on connection failure, I/O error, or (from command()) an error reply.
struct sync_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class sync_client {
public:
    /// Connects, AUTHs and SELECTs as the endpoint says; throws sync_error.
    explicit sync_client(endpoint const& ep,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// Runs one command (binary-safe arguments). Throws sync_error on I/O failure or an
    /// error reply.
    reply_ptr command(std::vector<std::string> const& args);
    reply_ptr command(std::initializer_list<std::string_view> args);

    /// Pipelining: append many, then read their replies in order with get_reply().
    void append(std::vector<std::string> const& args);
    reply_ptr get_reply();  // error replies are returned, not thrown

    redisContext* native() noexcept { return ctx_.get(); }

private:
    struct ctx_deleter {
        void operator()(redisContext* c) const noexcept { if (c) redisFree(c); }
    };
    std::unique_ptr<redisContext, ctx_deleter> ctx_;
};

} // namespace ssegw::redis

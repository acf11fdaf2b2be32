// The delivery worker's HTTP(S) client: one attempt is one POST of the exact body bytes to a
// webhook URL, under one deadline, with the outcome a delivery record, a metric and a retry need.
#pragma once

#include "common/net.hpp"
#include "common/tls/server_context.hpp"
#include "webhooks/delivery/attempt.hpp"
#include "webhooks/model/address_policy.hpp"

#include <functional>
#include <memory>
#include <string>

namespace ssegw::webhooks {

class connection_pool;

struct sender_options {
    address_policy const* addresses = nullptr;  // must outlive the sender; null: every range refused, no exceptions
    bool allow_http = false;                    // --webhook-allow-http
    std::string ca_file;                        // --webhook-ca-file; empty: the system store
    unsigned max_idle_per_origin = 16;          // idle keep-alive connections kept per scheme+host+port
};

/// Everything a sender does (resolving, connecting, its keep-alive pool, the `done` calls) runs on
/// the executor it is given, and nothing in it locks: give it a strand, or an io_context that one
/// thread runs, and call send() from that executor too.
///
/// An attempt: resolve and check the addresses (checked_resolver), connect to a permitted one,
/// TLS (chain, host name or IP SAN, SNI), write the request, read the response head; the status
/// line decides the outcome (2xx success, else http_status; redirects are never followed); then
/// up to 4096 body bytes, the body's end, or the deadline, whichever comes first. One deadline
/// (the request's timeout) covers everything up to the end of the head; a connection goes back to
/// the pool only if its response was read to the end and did not say `Connection: close`. A
/// reused connection that the receiver had closed before answering is replaced once by a new one
/// within the same deadline.
class sender {
public:
    /// Throws std::runtime_error if the TLS client context cannot be made (the CA file).
    sender(net::any_io_executor ex, sender_options o);
    /// Closes the idle connections. Attempts in flight still finish and call their `done`.
    ~sender();
    sender(sender const&) = delete;
    sender& operator=(sender const&) = delete;

    /// Starts an attempt; `done` runs exactly once, on the executor, never inside send().
    void send(attempt_request r, std::function<void(attempt_result)> done);

    /// Idle keep-alive connections right now (all origins).
    std::size_t idle_connections() const noexcept;

private:
    net::any_io_executor ex_;
    sender_options opts_;
    tls::context_ptr tls_;
    std::shared_ptr<connection_pool> pool_;
};

} // namespace ssegw::webhooks

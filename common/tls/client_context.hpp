// Outbound HTTPS (webhook deliveries, the test send): a client context that verifies the peer's
// certificate chain against the system's CAs or a given CA file, and per connection the name the
// certificate must carry plus SNI.
#pragma once

#include "common/tls/server_context.hpp"

#include <string>

namespace ssegw::tls {

struct client_result {
    context_ptr ctx;    // null on failure
    std::string error;  // names the file at fault
};

/// TLS 1.2 minimum, peer verification on. `ca_file` empty: the system's default CA paths.
client_result make_client_context(std::string const& ca_file);

/// Before the handshake: the host (a DNS name or an IP literal) the peer's certificate must match,
/// and SNI for a DNS name (never for an IP literal, as RFC 6066 says). False if OpenSSL refused.
bool expect_host(stream& s, std::string const& host);

} // namespace ssegw::tls

// The OpenSSL server context behind --tls-cert/--tls-key (loaded at start and on SIGHUP), and the
// stream type a served TLS connection keeps from its handshake to its end.
#pragma once

#include "common/net.hpp"

#include <boost/asio/ssl.hpp>

#include <memory>
#include <string>

namespace ssegw::tls {

namespace ssl = boost::asio::ssl;

/// One TLS connection: the same object from the handshake (http_session, with Beast's timeouts on
/// the TCP layer) to the stream's end (sse_session), so no TLS state is ever copied.
using stream = ssl::stream<beast::tcp_stream>;
/// The context new connections use. Sessions hold their own reference, so a reload (SIGHUP) never
/// pulls one from under a live connection.
using context_ptr = std::shared_ptr<ssl::context>;

struct load_result {
    context_ptr ctx;  // null on failure
    std::string error;    // names the file at fault
    std::string subject, not_after, serial;  // of the leaf certificate, for the log (never key material)
};

/// A server context: TLS 1.2 minimum, ECDHE with AES-GCM/CHACHA20 for 1.2 (1.3 defaults), server
/// cipher preference, no compression, no renegotiation, ALPN http/1.1; the
/// certificate chain and key read from the PEM files and checked to match.
load_result load_server_context(std::string const& cert_file, std::string const& key_file);

/// Logs what was loaded ("tls certificate loaded" / "… reloaded"): subject, serial, notAfter.
void log_loaded(load_result const& r, bool reload);

} // namespace ssegw::tls

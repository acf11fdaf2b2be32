// Where an attempt goes, taken apart once from its URL: what to resolve and verify, what the Host
// header and request line say, and the origin its keep-alive connections are pooled by.
// Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssegw::webhooks {

struct delivery_target {
    bool https = true;
    bool ip_literal = false;
    std::string host;         // a DNS name, or an IP literal without brackets: resolved, and verified by TLS
    std::uint16_t port = 443;
    std::string host_header;  // host[:port] exactly as the URL writes it
    std::string path_query;   // the request target: the URL's path and query ("/" for none)
    std::string origin;       // scheme://host:port, port always written, host in lower case: the key of pooled connections
};

/// An absolute http(s) URL with a host (a plain DNS name or an IP literal), no userinfo, and a port
/// that is a number; nullopt otherwise. The sender takes URLs that acceptable_url passed, but the
/// values below go into a request line and headers, so they are checked again here.
std::optional<delivery_target> parse_target(std::string_view url);

} // namespace ssegw::webhooks

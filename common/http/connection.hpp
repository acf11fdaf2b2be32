// A client connection handed from the request phase to whatever serves it for long (an event
// stream): the plain socket, or the TLS stream with the context it was accepted with, plus the
// --max-connections slot it holds.
#pragma once

#include "common/http/connection_slot.hpp"
#include "common/tls/server_context.hpp"

#include <memory>
#include <variant>

namespace ssegw::web {

struct plain_connection {
    tcp::socket socket;
    connection_slot slot;
};

struct tls_connection {
    tls::context_ptr ctx;  // first: outlives the stream that uses it
    std::unique_ptr<tls::stream> stream;
    connection_slot slot;
};

using connection = std::variant<plain_connection, tls_connection>;

} // namespace ssegw::web

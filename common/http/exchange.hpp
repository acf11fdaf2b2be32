// What a route handler sees of one request: the request, and the ways to answer it: a response
// (the connection then waits for the next request), a refusal in the form the client can read, or
// taking the connection over for a long-lived response such as an event stream.
#pragma once

#include "common/http/api_error.hpp"
#include "common/http/connection.hpp"
#include "common/http/message.hpp"
#include "common/http/target.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace ssegw::web {

class exchange {
public:
    virtual ~exchange() = default;

    virtual request const& req() const = 0;
    virtual web::target const& target() const = 0;
    virtual net::any_io_executor executor() = 0;
    /// Keeps the exchange alive across an asynchronous step (the session owns it).
    virtual std::shared_ptr<exchange> hold() = 0;
    /// The answer waits on another thread (Redis): lift the request deadline meanwhile.
    virtual void wait() = 0;

    /// A response with the service's CORS headers, `Cache-Control: no-store` and the request's keep-alive.
    virtual response make_response(http::status status, std::string_view content_type, std::string body) const = 0;
    virtual void add_cors(http::fields& f) const = 0;
    virtual void respond(response res) = 0;
    /// Counts and answers a refusal: JSON, or a 200 event stream with `retry:` and `event: error`
    /// for a transient refusal to an EventSource (which would never retry a non-200).
    virtual void refuse(api_error const& e) = 0;
    /// Hands the connection over (socket or TLS stream, with its slot); the exchange is over.
    virtual connection take_connection() = 0;
};

} // namespace ssegw::web

// The request and response types every service reads and writes: whole bodies in strings, bounded
// by request_limits.
#pragma once

#include "common/net.hpp"

namespace ssegw::web {

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

} // namespace ssegw::web

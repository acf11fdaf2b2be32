// A Redis reply copied out of hiredis's buffer, so it can cross threads and outlive the callback
// (hiredis frees its reply when the callback returns).
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ssegw::redis {

struct value {
    enum class kind { nil, integer, string, status, error, array } type = kind::nil;
    std::int64_t integer = 0;
    std::string str;  // string, status or error text
    std::vector<value> elements;

    bool is_error() const noexcept { return type == kind::error; }
    /// The field/value pairs of an HGETALL-shaped array (other elements skipped).
    std::vector<std::pair<std::string, std::string>> pairs() const;
};

value copy_of(redisReply const* r);

} // namespace ssegw::redis

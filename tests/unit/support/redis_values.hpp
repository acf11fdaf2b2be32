// Redis replies built by hand, for the unit tests of reply readers (no server involved).
#pragma once

#include "common/redis/value.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ssegw::test_values {

inline redis::value str(std::string s) {
    redis::value v;
    v.type = redis::value::kind::string;
    v.str = std::move(s);
    return v;
}

inline redis::value num(std::int64_t n) {
    redis::value v;
    v.type = redis::value::kind::integer;
    v.integer = n;
    return v;
}

inline redis::value arr(std::vector<redis::value> e) {
    redis::value v;
    v.type = redis::value::kind::array;
    v.elements = std::move(e);
    return v;
}

inline redis::value nil() { return {}; }

inline redis::value err(std::string s) {
    redis::value v;
    v.type = redis::value::kind::error;
    v.str = std::move(s);
    return v;
}

} // namespace ssegw::test_values

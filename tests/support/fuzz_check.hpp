// For the libFuzzer targets: a check that aborts (so libFuzzer saves the input), and the small pure
// helpers the invariants are written with (those every suite uses come from bytes.hpp; the chunked
// decoder is http_message.hpp's decode_chunked).
#pragma once

#include "tests/support/bytes.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace ssegw::fuzz {

using it::is_view_into;
using it::printable;

[[noreturn]] inline void check_failed(char const* expr, char const* file, int line, std::string_view detail) {
    std::fprintf(stderr, "\n== invariant violated: %s\n   at %s:%d\n", expr, file, line);
    if (!detail.empty()) std::fprintf(stderr, "   %.*s\n", static_cast<int>(detail.size()), detail.data());
    std::abort();
}

/// `s` without CR, LF and NUL: what the framer promises to do with ids, event names, comments.
inline std::string strip_breaks_and_nul(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c != '\r' && c != '\n' && c != '\0') out.push_back(c);
    return out;
}

} // namespace ssegw::fuzz

#define FUZZ_CHECK(cond, detail)                                                          \
    do {                                                                                  \
        if (!(cond)) ::ssegw::fuzz::check_failed(#cond, __FILE__, __LINE__, (detail));    \
    } while (0)

// Shared by the libFuzzer targets: a check that aborts (so libFuzzer saves the input), and the
// small pure helpers the invariants are written with.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace ssegw::fuzz {

[[noreturn]] inline void check_failed(char const* expr, char const* file, int line, std::string_view detail) {
    std::fprintf(stderr, "\n== invariant violated: %s\n   at %s:%d\n", expr, file, line);
    if (!detail.empty()) std::fprintf(stderr, "   %.*s\n", static_cast<int>(detail.size()), detail.data());
    std::abort();
}

/// Printable form of bytes, for failure messages.
inline std::string printable(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            out += b;
        }
    }
    return out + "\"";
}

/// True when `part` lies inside the bytes of `whole` (same memory, not merely equal text).
inline bool is_view_into(std::string_view part, std::string_view whole) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

/// `s` without CR, LF and NUL: what the framer promises to do with ids, event names, comments.
inline std::string strip_breaks_and_nul(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c != '\r' && c != '\n' && c != '\0') out.push_back(c);
    return out;
}

/// Strict HTTP/1.1 chunked-body decoder (RFC 9112 section 7.1, no extensions or trailers,
/// which the gateway never sends): "<hex>\r\n<bytes>\r\n"... "0\r\n\r\n". False if malformed
/// or anything follows the last chunk.
inline bool decode_chunked(std::string_view in, std::string& out) {
    for (;;) {
        auto crlf = in.find("\r\n");
        if (crlf == std::string_view::npos || crlf == 0 || crlf > 16) return false;
        std::size_t len = 0;
        for (char c : in.substr(0, crlf)) {
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return false;
            len = len * 16 + static_cast<std::size_t>(d);
        }
        in.remove_prefix(crlf + 2);
        if (len == 0) return in == "\r\n";
        if (in.size() < len + 2 || in.substr(len, 2) != "\r\n") return false;
        out.append(in.substr(0, len));
        in.remove_prefix(len + 2);
    }
}

} // namespace ssegw::fuzz

#define FUZZ_CHECK(cond, detail)                                                          \
    do {                                                                                  \
        if (!(cond)) ::ssegw::fuzz::check_failed(#cond, __FILE__, __LINE__, (detail));    \
    } while (0)

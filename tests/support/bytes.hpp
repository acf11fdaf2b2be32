// Small pure helpers on bytes that every suite uses (header-only: the fuzz targets include it too).
#pragma once

#include <boost/asio/buffer.hpp>

#include <cstdio>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace ssegw::it {

/// The lines of `text`, without their line breaks.
inline std::vector<std::string> lines_of(std::string const& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

/// The bytes of an Asio buffer.
inline std::string_view view_of(boost::asio::const_buffer b) {
    return {static_cast<char const*>(b.data()), b.size()};
}

/// True when `part` lies inside the bytes of `whole` (same memory, not merely equal text).
inline bool is_view_into(std::string_view part, std::string_view whole) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

/// Printable form of bytes, for failure messages: quoted, anything but printable ASCII as \xNN.
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

} // namespace ssegw::it

#include "webhooks/delivery/request_head.hpp"

#include "common/ascii.hpp"

#include <array>

namespace ssegw::webhooks {
namespace {

bool token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!token_char(c)) return false;
    return true;
}

bool field_value(std::string_view s) {
    for (char c : s) {
        auto b = static_cast<unsigned char>(c);
        if ((b < 0x20 && b != '\t') || b == 0x7f) return false;
    }
    return true;
}

bool reserved(std::string_view name) {
    static constexpr std::array<std::string_view, 5> own{"host", "user-agent", "content-length", "connection",
                                                         "transfer-encoding"};
    for (auto n : own)
        if (ascii::iequals(name, n)) return true;
    return false;
}

} // namespace

request_head_result request_head(delivery_target const& t, attempt_request const& r) {
    request_head_result out;
    std::string h;
    h.reserve(256 + r.headers.size() * 64);
    h.append("POST ").append(t.path_query).append(" HTTP/1.1\r\n");
    h.append("Host: ").append(t.host_header).append("\r\n");
    h.append("User-Agent: ").append(user_agent).append("\r\n");
    bool has_type = false;
    for (auto const& [name, value] : r.headers) {
        if (!token(name) || !field_value(value)) {
            out.error = "header " + (token(name) ? name : std::string("(malformed name)")) + " has a forbidden character";
            return out;
        }
        if (reserved(name)) {
            out.error = "header " + name + " is written by the sender";
            return out;
        }
        has_type = has_type || ascii::iequals(name, "content-type");
        h.append(name).append(": ").append(value).append("\r\n");
    }
    if (!has_type) h.append("Content-Type: application/json\r\n");
    h.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
    h.append("Connection: keep-alive\r\n\r\n");
    out.head = std::move(h);
    return out;
}

} // namespace ssegw::webhooks

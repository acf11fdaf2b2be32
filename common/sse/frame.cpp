#include "common/sse/frame.hpp"

#include <cstdio>

namespace ssegw::sse {
namespace {

// A field value may not carry line breaks (they would end the field) nor NUL in ids.
void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    for (char c : value)
        if (c != '\r' && c != '\n' && c != '\0') out.push_back(c);
    out.push_back('\n');
}

} // namespace

void append_event(std::string& out, std::string_view id, std::string_view event, std::string_view data) {
    if (!id.empty()) append_field(out, "id", id);
    if (!event.empty()) append_field(out, "event", event);
    // One data: line per line of the payload; CRLF, CR and LF all end a line (WHATWG).
    std::size_t start = 0;
    for (std::size_t i = 0; i <= data.size(); ++i) {
        if (i == data.size() || data[i] == '\n' || data[i] == '\r') {
            out.append("data: ");
            out.append(data.substr(start, i - start));
            out.push_back('\n');
            if (i < data.size() && data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n') ++i;
            start = i + 1;
        }
    }
    out.push_back('\n');
}

frame::frame(std::string_view body) {
    char head[24];
    int n = std::snprintf(head, sizeof head, "%zx\r\n", body.size());
    wire_.reserve(static_cast<std::size_t>(n) + body.size() + 2);
    wire_.append(head, static_cast<std::size_t>(n));
    body_at_ = wire_.size();
    body_len_ = body.size();
    wire_.append(body);
    wire_.append("\r\n");
}

std::shared_ptr<frame const> frame::event(std::string_view id, std::string_view event, std::string_view data) {
    std::string body;
    body.reserve(id.size() + event.size() + data.size() + 32);
    append_event(body, id, event, data);
    auto f = std::shared_ptr<frame>(new frame(body));
    f->id_ = parse_event_id(id);
    return f;
}

std::shared_ptr<frame const> frame::comment(std::string_view text) {
    std::string body;
    append_field(body, "", text);  // ": text\n"
    body.push_back('\n');
    return std::shared_ptr<frame>(new frame(body));
}

std::shared_ptr<frame const> frame::retry(unsigned ms) {
    return std::shared_ptr<frame>(new frame("retry: " + std::to_string(ms) + "\n\n"));
}

std::shared_ptr<frame const> frame::raw(std::string_view text) {
    return std::shared_ptr<frame>(new frame(text));
}

std::shared_ptr<frame const> frame::verbatim(std::string text) {
    auto f = std::shared_ptr<frame>(new frame());
    f->body_len_ = text.size();
    f->wire_ = std::move(text);
    return f;
}

} // namespace ssegw::sse

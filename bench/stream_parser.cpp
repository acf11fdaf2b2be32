#include "bench/stream_parser.hpp"

#include "common/ascii.hpp"
#include "common/net.hpp"

#include <algorithm>
#include <cstring>

namespace ssegw::bench {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The integer after `"name":` in a JSON text, or -1. The bench writes its fields first and
// unquoted, so a search is enough and stays cheap next to a JSON parse per event.
std::int64_t json_int(std::string_view json, std::string_view quoted_name) {
    auto at = json.find(quoted_name);
    if (at == std::string_view::npos) return -1;
    at += quoted_name.size();
    while (at < json.size() && json[at] == ' ') ++at;
    if (at >= json.size() || json[at] != ':') return -1;
    ++at;
    while (at < json.size() && json[at] == ' ') ++at;
    std::int64_t v = 0;
    bool any = false;
    while (at < json.size() && json[at] >= '0' && json[at] <= '9') {
        v = v * 10 + (json[at++] - '0');
        any = true;
    }
    return any ? v : -1;
}

} // namespace

void stream_parser::reset() {
    phase_ = phase::head;
    status_ = 0;
    chunked_ = false;
    head_.clear();
    error_.clear();
    chunk_ = chunk::size;
    chunk_left_ = 0;
    line_.clear();
    skip_lf_ = false;
    pending_ = {};
    pending_data_ = false;
    pending_has_id_ = false;
    events_.clear();
}

bool stream_parser::fail(std::string why) {
    phase_ = phase::failed;
    error_ = std::move(why);
    return false;
}

bool stream_parser::feed(std::string_view bytes) {
    events_.clear();
    if (phase_ == phase::failed) return false;
    if (phase_ == phase::head && !feed_head(bytes)) return phase_ != phase::failed;
    if (phase_ != phase::body) return phase_ != phase::failed;
    if (chunked_) feed_chunked(bytes);
    else feed_sse(bytes);
    return phase_ != phase::failed;
}

// Returns true once the head is complete; `bytes` is left holding the body's first bytes.
bool stream_parser::feed_head(std::string_view& bytes) {
    auto const before = head_.size();
    head_.append(bytes);
    auto const end = head_.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (head_.size() > 16384) fail("response head longer than 16 KiB");
        bytes = {};
        return false;
    }
    bytes.remove_prefix(end + 4 - before);
    std::string_view head(head_.data(), end + 2);
    auto const eol = head.find("\r\n");
    std::string_view status_line = head.substr(0, eol);
    if (status_line.substr(0, 7) != "HTTP/1." || status_line.size() < 12)
        return fail("not an HTTP/1.x response: " + std::string(status_line));
    status_ = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    bool event_stream = false;
    for (auto rest = head.substr(eol + 2); !rest.empty();) {
        auto const e = rest.find("\r\n");
        auto const field = rest.substr(0, e);
        rest.remove_prefix(e + 2);
        auto const colon = field.find(':');
        if (colon == std::string_view::npos) continue;
        auto const name = field.substr(0, colon);
        auto const value = trim(field.substr(colon + 1));
        if (ascii::iequals(name, "transfer-encoding") && value.find("chunked") != std::string_view::npos) chunked_ = true;
        if (ascii::iequals(name, "content-type") && value.substr(0, 17) == "text/event-stream") event_stream = true;
    }
    if (status_ != 200) return fail("status " + std::to_string(status_));
    if (!event_stream) return fail("200 without Content-Type: text/event-stream");
    head_.clear();
    head_.shrink_to_fit();
    phase_ = phase::body;
    return true;
}

void stream_parser::feed_chunked(std::string_view bytes) {
    while (!bytes.empty() && phase_ == phase::body) {
        char const c = bytes.front();
        switch (chunk_) {
        case chunk::size: {
            int d = (c >= '0' && c <= '9') ? c - '0' : ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') ? (c | 0x20) - 'a' + 10 : -1;
            if (d >= 0) {
                if (chunk_left_ > (std::uint64_t{1} << 40)) { fail("chunk size too large"); return; }
                chunk_left_ = chunk_left_ * 16 + static_cast<unsigned>(d);
            } else if (c == ';' || c == ' ') chunk_ = chunk::ext;
            else if (c == '\r') chunk_ = chunk::size_lf;
            else { fail("bad chunk size"); return; }
            bytes.remove_prefix(1);
            break;
        }
        case chunk::ext:
            if (c == '\r') chunk_ = chunk::size_lf;
            bytes.remove_prefix(1);
            break;
        case chunk::size_lf:
            if (c != '\n') { fail("bad chunk size line"); return; }
            bytes.remove_prefix(1);
            if (chunk_left_ == 0) { phase_ = phase::ended; chunk_ = chunk::done; return; }
            chunk_ = chunk::data;
            break;
        case chunk::data: {
            auto const n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, bytes.size()));
            feed_sse(bytes.substr(0, n));
            bytes.remove_prefix(n);
            chunk_left_ -= n;
            if (chunk_left_ == 0) chunk_ = chunk::data_cr;
            break;
        }
        case chunk::data_cr:
            if (c != '\r') { fail("chunk not followed by CRLF"); return; }
            chunk_ = chunk::data_lf;
            bytes.remove_prefix(1);
            break;
        case chunk::data_lf:
            if (c != '\n') { fail("chunk not followed by CRLF"); return; }
            chunk_ = chunk::size;
            bytes.remove_prefix(1);
            break;
        case chunk::done:
            return;
        }
    }
}

// Lines end in LF, CRLF or a lone CR (the WHATWG event-stream rules).
void stream_parser::feed_sse(std::string_view bytes) {
    while (!bytes.empty()) {
        if (skip_lf_) {
            skip_lf_ = false;
            if (bytes.front() == '\n') {
                bytes.remove_prefix(1);
                continue;
            }
        }
        auto const end = bytes.find_first_of("\r\n");
        if (end == std::string_view::npos) {
            line_.append(bytes);
            if (line_.size() > (16u << 20)) fail("an event-stream line longer than 16 MiB");
            return;
        }
        skip_lf_ = bytes[end] == '\r';
        if (line_.empty()) {
            line(bytes.substr(0, end));
        } else {
            line_.append(bytes.substr(0, end));
            line(line_);
            line_.clear();
        }
        bytes.remove_prefix(end + 1);
    }
}

void stream_parser::line(std::string_view l) {
    if (l.empty()) {  // dispatch
        if (pending_has_id_) last_id_ = pending_id_;
        if (pending_data_) events_.push_back(pending_);
        pending_ = {};
        pending_data_ = false;
        pending_has_id_ = false;
        return;
    }
    if (l.front() == ':') return;  // comment: keepalive
    auto const colon = l.find(':');
    auto const name = l.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (name == "data") {
        if (!pending_data_) {
            pending_.seq = json_int(value, "\"bench_seq\"");
            pending_.sent_ns = json_int(value, "\"bench_t\"");
        }
        pending_data_ = true;
    } else if (name == "id") {
        if (value.find('\0') == std::string_view::npos) {
            pending_id_.assign(value);
            pending_has_id_ = true;
        }
    } else if (name == "event") {
        pending_.error = value == "error";
    }
}

} // namespace ssegw::bench

// A WHATWG event-stream parser (HTML "Interpreting an event stream"), fed with decoded body bytes.
#include "tests/support/sse_parser.hpp"

#include <algorithm>

namespace ssegw::it {

void sse_parser::feed(std::string_view bytes) {
    if (!started_ && !bytes.empty()) {
        partial_.append(bytes);
        if (partial_.size() < 3 && std::string_view("\xEF\xBB\xBF").substr(0, partial_.size()) == partial_)
            return;  // maybe a BOM still arriving
        if (partial_.rfind("\xEF\xBB\xBF", 0) == 0) partial_.erase(0, 3);
        started_ = true;
        std::string first;
        first.swap(partial_);
        feed(first);
        return;
    }
    // Lines end in CRLF, LF or CR; a CR at the end of one feed may pair with an LF at the start of the next.
    std::size_t start = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        char c = bytes[i];
        if (c == '\n' && after_cr_ && i == start && partial_.empty()) {
            after_cr_ = false;
            start = i + 1;
            continue;
        }
        after_cr_ = false;
        if (c == '\r' || c == '\n') {
            partial_.append(bytes.substr(start, i - start));
            std::string l;
            l.swap(partial_);
            line(l);
            after_cr_ = (c == '\r');
            start = i + 1;
        }
    }
    partial_.append(bytes.substr(start));
}

void sse_parser::line(std::string_view l) {
    if (l.empty()) {
        dispatch();
        return;
    }
    if (!block_raw_.empty()) block_raw_ += '\n';
    block_raw_.append(l);
    if (l.front() == ':') {
        comments_.emplace_back(l.substr(1));
        return;
    }
    auto colon = l.find(':');
    std::string_view field = l.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
        value = l.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "event") {
        event_type_ = std::string(value);
    } else if (field == "data") {
        data_.append(value);
        data_ += '\n';
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) last_id_ = std::string(value);
    } else if (field == "retry") {
        if (!value.empty() && value.size() < 18 &&
            std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            long v = std::stol(std::string(value));
            retries_.push_back(v);
            block_retry_ = v;
        }
    } else {
        unknown_.emplace_back(l);
    }
}

void sse_parser::dispatch() {
    if (data_.empty()) {
        event_type_.clear();
        block_retry_.reset();
        block_raw_.clear();
        return;
    }
    data_.pop_back();  // the last LF
    sse_event e;
    e.id = last_id_;
    e.event = event_type_.empty() ? "message" : event_type_;
    e.data = std::move(data_);
    e.retry = block_retry_;
    e.raw = std::move(block_raw_);
    events_.push_back(std::move(e));
    data_.clear();
    event_type_.clear();
    block_retry_.reset();
    block_raw_.clear();
}

std::string normalise_breaks(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out.push_back('\n');
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

} // namespace ssegw::it

// HTTP/1.1 response pieces for the test clients: head parsing and body decoding.
#include "tests/support/http_message.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ssegw::it {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

std::string ascii_lower(std::string_view s) {
    std::string r(s);
    for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

std::optional<std::string> response_head::header(std::string_view name) const {
    for (auto const& [k, v] : headers)
        if (iequals(k, name)) return v;
    return std::nullopt;
}

std::vector<std::string> response_head::headers_named(std::string_view name) const {
    std::vector<std::string> r;
    for (auto const& [k, v] : headers)
        if (iequals(k, name)) r.push_back(v);
    return r;
}

bool response_head::chunked() const {
    auto te = header("Transfer-Encoding");
    if (!te) return false;
    auto v = ascii_lower(*te);
    auto pos = v.rfind("chunked");
    return pos != std::string::npos && trim(std::string_view(v).substr(pos + 7)).empty();
}

std::optional<response_head> parse_response_head(std::string_view head) {
    response_head r;
    r.raw = std::string(head);
    auto eol = head.find("\r\n");
    std::string_view status_line = head.substr(0, eol);
    auto sp1 = status_line.find(' ');
    if (sp1 == std::string_view::npos) return std::nullopt;
    r.version = std::string(status_line.substr(0, sp1));
    auto rest = status_line.substr(sp1 + 1);
    auto sp2 = rest.find(' ');
    auto code = rest.substr(0, sp2);
    if (code.size() != 3 || std::from_chars(code.data(), code.data() + 3, r.status).ec != std::errc{})
        return std::nullopt;
    if (sp2 != std::string_view::npos) r.reason = std::string(rest.substr(sp2 + 1));
    if (r.version.rfind("HTTP/", 0) != 0) return std::nullopt;
    while (eol != std::string_view::npos) {
        head.remove_prefix(eol + 2);
        eol = head.find("\r\n");
        auto line = head.substr(0, eol);
        if (line.empty()) break;
        auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return std::nullopt;
        r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
    }
    return r;
}

body_decoder body_decoder::for_response(response_head const& head, std::string_view method) {
    body_decoder d;
    if (method == "HEAD" || head.status / 100 == 1 || head.status == 204 || head.status == 304) {
        d.framing_ = framing::none;
        d.complete_ = true;
        return d;
    }
    if (head.chunked()) {
        d.framing_ = framing::chunked;
        return d;
    }
    if (auto cl = head.header("Content-Length")) {
        std::size_t n = 0;
        if (std::from_chars(cl->data(), cl->data() + cl->size(), n).ec == std::errc{}) {
            d.framing_ = framing::length;
            d.remaining_ = n;
            d.complete_ = (n == 0);
            return d;
        }
    }
    d.framing_ = framing::until_close;
    return d;
}

bool body_decoder::feed(std::string_view raw, std::string& out) {
    if (!error_.empty()) return false;
    if (complete_) {
        excess_.append(raw);
        return true;
    }
    switch (framing_) {
    case framing::none:
        excess_.append(raw);
        return true;
    case framing::until_close:
        out.append(raw);
        return true;
    case framing::length: {
        auto n = std::min(raw.size(), remaining_);
        out.append(raw.substr(0, n));
        remaining_ -= n;
        if (remaining_ == 0) complete_ = true;
        excess_.append(raw.substr(n));
        return true;
    }
    case framing::chunked:
        pending_.append(raw);
        return feed_chunked(out);
    }
    return false;
}

bool body_decoder::feed_chunked(std::string& out) {
    std::size_t pos = 0;
    for (;;) {
        if (complete_) {
            excess_.append(pending_, pos);
            pending_.clear();
            return true;
        }
        if (state_ == chunk_state::size || state_ == chunk_state::trailers) {
            auto eol = pending_.find("\r\n", pos);
            if (eol == std::string::npos) break;
            std::string_view line(pending_.data() + pos, eol - pos);
            pos = eol + 2;
            if (state_ == chunk_state::trailers) {
                if (line.empty()) {
                    complete_ = true;
                } else if (syntax_ == chunk_syntax::strict) {
                    error_ = "trailer field after the last chunk: '" + std::string(line) + "'";
                    return false;
                }
                continue;
            }
            auto hex = syntax_ == chunk_syntax::strict ? line : trim(line.substr(0, line.find(';')));
            std::size_t size = 0;
            auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
            if (hex.empty() || ec != std::errc{} || p != hex.data() + hex.size()) {
                error_ = "bad chunk size line: '" + std::string(line) + "'";
                return false;
            }
            if (size == 0) {
                last_chunk_ = true;
                state_ = chunk_state::trailers;
            } else {
                ++chunks_;
                remaining_ = size;
                state_ = chunk_state::data;
            }
        } else if (state_ == chunk_state::data) {
            auto n = std::min(pending_.size() - pos, remaining_);
            if (n == 0) break;
            out.append(pending_, pos, n);
            pos += n;
            remaining_ -= n;
            if (remaining_ == 0) state_ = chunk_state::data_crlf;
        } else {  // data_crlf
            if (pending_.size() - pos < 2) break;
            if (pending_.compare(pos, 2, "\r\n") != 0) {
                error_ = "chunk data not followed by CRLF";
                return false;
            }
            pos += 2;
            state_ = chunk_state::size;
        }
    }
    pending_.erase(0, pos);
    return true;
}

std::optional<std::string> decode_chunked(std::string_view in, std::string* error, std::size_t* chunks) {
    body_decoder d(body_decoder::framing::chunked, 0, body_decoder::chunk_syntax::strict);
    std::string out;
    std::string why;
    if (!d.feed(in, out))
        why = d.error();
    else if (!d.complete())
        why = "incomplete chunked body (no last chunk, or its CRLF missing)";
    else if (!d.excess().empty())
        why = std::to_string(d.excess().size()) + " bytes after the last chunk";
    if (chunks) *chunks = d.chunks();
    if (why.empty()) return out;
    if (error) *error = std::move(why);
    return std::nullopt;
}

} // namespace ssegw::it

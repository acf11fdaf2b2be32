#include "common/json/ecma_json.hpp"

#include "common/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

namespace ssegw::json {
namespace {

// A recursive-descent parser that writes the ECMAScript serialisation as it goes. Objects
// collect their members (decoded key, serialised value) to check duplicates and reorder.
class Parser {
public:
    explicit Parser(std::string_view in) : in_(in) {}

    bool run(std::string& out) {
        skip_ws();
        if (!value(out, 1)) return false;
        skip_ws();
        if (pos_ != in_.size()) return fail("unexpected data after the JSON value");
        return true;
    }

    std::string error;

private:
    std::string_view in_;
    std::size_t pos_ = 0;

    bool fail(std::string_view why) {
        error = std::string(why) + " at byte " + std::to_string(pos_);
        return false;
    }
    bool at_end() const { return pos_ >= in_.size(); }
    char peek() const { return in_[pos_]; }

    void skip_ws() {
        while (!at_end()) {
            char c = peek();
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++pos_;
        }
    }

    bool literal(std::string_view word, std::string& out) {
        if (in_.substr(pos_, word.size()) != word) return fail("invalid literal");
        pos_ += word.size();
        out += word;
        return true;
    }

    bool value(std::string& out, int depth) {
        if (at_end()) return fail("unexpected end of input, expected a value");
        switch (peek()) {
        case '{': return object(out, depth);
        case '[': return array(out, depth);
        case '"': {
            std::string s;
            if (!string(s)) return false;
            quote(s, out);
            return true;
        }
        case 't': return literal("true", out);
        case 'f': return literal("false", out);
        case 'n': return literal("null", out);
        default:
            if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return number(out);
            return fail("unexpected character, expected a value");
        }
    }

    bool array(std::string& out, int depth) {
        if (depth > max_depth) return fail("nesting deeper than 64");
        ++pos_;  // '['
        out += '[';
        skip_ws();
        if (!at_end() && peek() == ']') {
            ++pos_;
            out += ']';
            return true;
        }
        for (bool first = true;; first = false) {
            if (!first) out += ',';
            skip_ws();
            if (!value(out, depth + 1)) return false;
            skip_ws();
            if (at_end()) return fail("unexpected end of input in an array");
            if (peek() == ',') { ++pos_; continue; }
            if (peek() == ']') { ++pos_; out += ']'; return true; }
            return fail("expected ',' or ']' in an array");
        }
    }

    // "0".."4294967294" without leading zeros: the keys ECMAScript orders first, ascending.
    static std::optional<std::uint32_t> array_index(std::string_view k) {
        if (k.empty() || k.size() > 10 || (k.size() > 1 && k[0] == '0')) return std::nullopt;
        std::uint64_t v = 0;
        for (char c : k) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (v > 4294967294u) return std::nullopt;
        return static_cast<std::uint32_t>(v);
    }

    bool object(std::string& out, int depth) {
        if (depth > max_depth) return fail("nesting deeper than 64");
        ++pos_;  // '{'
        struct Member {
            std::string key;
            std::string value;
        };
        std::vector<Member> members;
        std::unordered_set<std::string_view> seen;
        skip_ws();
        if (!at_end() && peek() == '}') {
            ++pos_;
            out += "{}";
            return true;
        }
        members.reserve(4);
        for (;;) {
            skip_ws();
            if (at_end() || peek() != '"') return fail("expected a string key in an object");
            Member m;
            if (!string(m.key)) return false;
            skip_ws();
            if (at_end() || peek() != ':') return fail("expected ':' after an object key");
            ++pos_;
            skip_ws();
            if (!value(m.value, depth + 1)) return false;
            members.push_back(std::move(m));
            skip_ws();
            if (at_end()) return fail("unexpected end of input in an object");
            if (peek() == ',') { ++pos_; }
            else if (peek() == '}') { ++pos_; break; }
            else return fail("expected ',' or '}' in an object");
        }
        // Views into members' keys: stable now that the vector no longer grows.
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (!seen.insert(members[i].key).second) {
                // At most 64 bytes of the key, cut at a character boundary (the message stays UTF-8).
                std::size_t cut = std::min<std::size_t>(members[i].key.size(), 64);
                while (cut > 0 && cut < members[i].key.size() &&
                       (static_cast<unsigned char>(members[i].key[cut]) & 0xC0) == 0x80)
                    --cut;
                error = "duplicate key \"" + members[i].key.substr(0, cut) + "\" in an object ending at byte " +
                        std::to_string(pos_ - 1);
                return false;
            }
        }
        std::vector<std::pair<std::uint32_t, std::size_t>> indexed;
        std::vector<std::size_t> named;
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (auto ix = array_index(members[i].key)) indexed.emplace_back(*ix, i);
            else named.push_back(i);
        }
        std::sort(indexed.begin(), indexed.end());
        out += '{';
        bool first = true;
        auto emit = [&](Member const& m) {
            if (!first) out += ',';
            first = false;
            quote(m.key, out);
            out += ':';
            out += m.value;
        };
        for (auto const& [ix, i] : indexed) emit(members[i]);
        for (std::size_t i : named) emit(members[i]);
        out += '}';
        return true;
    }

    static int hex_digit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    bool hex4(std::uint32_t& v) {
        if (in_.size() - pos_ < 4) return fail("truncated \\u escape");
        v = 0;
        for (int i = 0; i < 4; ++i) {
            int d = hex_digit(in_[pos_ + static_cast<std::size_t>(i)]);
            if (d < 0) return fail("invalid hex digit in a \\u escape");
            v = v * 16 + static_cast<std::uint32_t>(d);
        }
        pos_ += 4;
        return true;
    }

    // One UTF-8 sequence starting at pos_ (its lead byte >= 0x80), validated strictly:
    // no overlongs, no surrogates, nothing above U+10FFFF.
    bool utf8_sequence(std::string& s) {
        auto b = [&](std::size_t i) { return static_cast<unsigned char>(in_[pos_ + i]); };
        unsigned char c = b(0);
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c == 0xE0) { len = 3; lo = 0xA0; }
        else if (c == 0xED) { len = 3; hi = 0x9F; }
        else if (c >= 0xE1 && c <= 0xEF) len = 3;
        else if (c == 0xF0) { len = 4; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) len = 4;
        else if (c == 0xF4) { len = 4; hi = 0x8F; }
        else return fail("invalid UTF-8");
        if (in_.size() - pos_ < len) return fail("invalid UTF-8 (truncated sequence)");
        if (b(1) < lo || b(1) > hi) {
            return fail(c == 0xED && b(1) >= 0xA0 && b(1) <= 0xBF ? "lone surrogate (UTF-8 encoded)" : "invalid UTF-8");
        }
        for (std::size_t i = 2; i < len; ++i)
            if (b(i) < 0x80 || b(i) > 0xBF) return fail("invalid UTF-8");
        s.append(in_.substr(pos_, len));
        pos_ += len;
        return true;
    }

    // A string token at pos_ (the opening quote), decoded to UTF-8 into s.
    bool string(std::string& s) {
        ++pos_;  // '"'
        for (;;) {
            if (at_end()) return fail("unterminated string");
            unsigned char c = static_cast<unsigned char>(peek());
            if (c == '"') { ++pos_; return true; }
            if (c < 0x20) return fail("unescaped control character in a string");
            if (c >= 0x80) {
                if (!utf8_sequence(s)) return false;
                continue;
            }
            if (c != '\\') {
                // A run of plain ASCII at once.
                std::size_t end = pos_ + 1;
                while (end < in_.size()) {
                    unsigned char d = static_cast<unsigned char>(in_[end]);
                    if (d == '"' || d == '\\' || d < 0x20 || d >= 0x80) break;
                    ++end;
                }
                s.append(in_.substr(pos_, end - pos_));
                pos_ = end;
                continue;
            }
            ++pos_;
            if (at_end()) return fail("unterminated escape");
            char e = peek();
            ++pos_;
            switch (e) {
            case '"': s += '"'; break;
            case '\\': s += '\\'; break;
            case '/': s += '/'; break;
            case 'b': s += '\b'; break;
            case 'f': s += '\f'; break;
            case 'n': s += '\n'; break;
            case 'r': s += '\r'; break;
            case 't': s += '\t'; break;
            case 'u': {
                std::uint32_t cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate in a \\u escape");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    std::uint32_t low = 0;
                    if (in_.size() - pos_ < 2 || in_[pos_] != '\\' || in_[pos_ + 1] != 'u')
                        return fail("lone high surrogate in a \\u escape");
                    pos_ += 2;
                    if (!hex4(low)) return false;
                    if (low < 0xDC00 || low > 0xDFFF) return fail("lone high surrogate in a \\u escape");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                utf8::append(s, cp);
                break;
            }
            default: --pos_; return fail("invalid escape in a string");
            }
        }
    }

    // JSON.stringify's QuoteJSONString over a well-formed UTF-8 string.
    static void quote(std::string_view s, std::string& out) {
        static constexpr char hex[] = "0123456789abcdef";
        out += '"';
        for (char ch : s) {
            unsigned char c = static_cast<unsigned char>(ch);
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 0xF];
                } else {
                    out += ch;
                }
            }
        }
        out += '"';
    }

    bool number(std::string& out) {
        std::size_t start = pos_;
        auto digit = [&] { return !at_end() && peek() >= '0' && peek() <= '9'; };
        if (peek() == '-') ++pos_;
        if (!digit()) return fail("invalid number");
        // The decimal exponent of the leading non-zero digit, for telling overflow from underflow.
        long long lead = 0;
        bool nonzero = false;
        if (peek() == '0') {
            ++pos_;
        } else {
            while (digit()) {
                if (!nonzero) { nonzero = true; lead = -1; }
                if (lead < 1'000'000) ++lead;
                ++pos_;
            }
        }
        if (!at_end() && peek() == '.') {
            ++pos_;
            if (!digit()) return fail("invalid number (no digits after '.')");
            long long frac = 0;
            while (digit()) {
                if (frac > -1'000'000) --frac;
                if (!nonzero && peek() != '0') { nonzero = true; lead = frac; }
                ++pos_;
            }
        }
        long long exp = 0;
        if (!at_end() && (peek() == 'e' || peek() == 'E')) {
            ++pos_;
            bool eneg = false;
            if (!at_end() && (peek() == '+' || peek() == '-')) { eneg = peek() == '-'; ++pos_; }
            if (!digit()) return fail("invalid number (no digits in the exponent)");
            while (digit()) {
                if (exp < 1'000'000'000) exp = exp * 10 + (peek() - '0');
                ++pos_;
            }
            if (eneg) exp = -exp;
        }
        std::string_view text = in_.substr(start, pos_ - start);
        double d = 0;
        auto r = std::from_chars(text.data(), text.data() + text.size(), d);
        if (r.ec == std::errc::result_out_of_range) {
            if (nonzero && lead + exp >= 0) {
                pos_ = start;
                return fail("number beyond a double's range");
            }
            d = 0;  // underflow: the nearest double is zero
        } else if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
            pos_ = start;
            return fail("invalid number");
        }
        format_number(d, out);
        return true;
    }

public:
    // ECMAScript Number::toString(d) for a finite d.
    static void format_number(double d, std::string& out) {
        if (d == 0) { out += '0'; return; }
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
        std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));  // e.g. -1.2345e+19
        if (!sci.empty() && sci[0] == '-') { out += '-'; sci.remove_prefix(1); }
        auto epos = sci.find('e');
        std::string digits;
        for (char c : sci.substr(0, epos)) if (c != '.') digits += c;
        int e10 = 0;
        std::string_view es = sci.substr(epos + 1);
        if (!es.empty() && es[0] == '+') es.remove_prefix(1);
        std::from_chars(es.data(), es.data() + es.size(), e10);
        int k = static_cast<int>(digits.size());
        int n = e10 + 1;
        if (k <= n && n <= 21) {
            out += digits;
            out.append(static_cast<std::size_t>(n - k), '0');
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, static_cast<std::size_t>(n));
            out += '.';
            out.append(digits, static_cast<std::size_t>(n));
        } else if (-6 < n && n <= 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-n), '0');
            out += digits;
        } else {
            out += digits[0];
            if (k > 1) {
                out += '.';
                out.append(digits, 1);
            }
            out += 'e';
            out += n - 1 >= 0 ? '+' : '-';
            out += std::to_string(n - 1 >= 0 ? n - 1 : -(n - 1));
        }
    }
};

} // namespace

std::optional<std::string> ecma_serialize(std::string_view json_text, std::string& error) {
    Parser p(json_text);
    std::string out;
    out.reserve(json_text.size());
    if (!p.run(out)) {
        error = std::move(p.error);
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> ecma_serialize_event_data(std::string_view json_text, std::string& error) {
    std::size_t i = 0;
    while (i < json_text.size() && (json_text[i] == ' ' || json_text[i] == '\t' || json_text[i] == '\n' ||
                                    json_text[i] == '\r'))
        ++i;
    if (i == json_text.size() || json_text[i] != '{') {
        error = "data is not a JSON object";
        return std::nullopt;
    }
    auto out = ecma_serialize(json_text, error);
    if (out && out->size() > max_event_data_bytes) {
        error = "data exceeds 64 KiB (" + std::to_string(out->size()) + " bytes serialised)";
        return std::nullopt;
    }
    return out;
}

} // namespace ssegw::json

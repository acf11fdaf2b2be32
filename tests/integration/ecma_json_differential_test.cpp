// ecma_serialize against the reference itself: Node's JSON.stringify(JSON.parse(text)), byte for byte,
// over a few thousand random documents (seeded: nested objects and arrays, numbers at the edges of
// Number::toString's layouts, big integers, -0, escapes, control characters, astral characters,
// array-index-like keys, whitespace). One node process reads them all (JSON lines: each document as
// a JSON string) and writes one JSON string per result. Mutated documents (mostly malformed) check
// the refusals: what node refuses, ecma_serialize refuses too. Node is required (scripts/install-deps).
#include "common/json/ecma_json.hpp"
#include "common/utf8.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using ssegw::json::ecma_serialize;

class generator {
public:
    explicit generator(std::uint64_t seed) : rng_(seed) {}

    std::string document() {
        std::string s = ws();
        value(s, 0);
        s += ws();
        return s;
    }

    // `doc` with a few ASCII bytes replaced, inserted or deleted (multi-byte characters untouched, so
    // it stays UTF-8): mostly malformed JSON, for comparing what each side refuses.
    std::string mutate(std::string doc) {
        static constexpr char alphabet[] = "{}[],:\"\\0123456789.eE+-tfnul \t\n/bu";
        for (std::uint64_t n = below(3) + 1; n > 0; --n) {
            std::size_t at = doc.empty() ? 0 : below(doc.size() + 1);
            bool ascii_here = at < doc.size() && static_cast<unsigned char>(doc[at]) < 0x80;
            char c = alphabet[below(sizeof alphabet - 1)];
            switch (below(3)) {
            case 0: if (ascii_here) doc[at] = c; break;
            case 1: if (ascii_here) doc.erase(at, 1); break;
            default: if (at == doc.size() || ascii_here) doc.insert(at, 1, c); break;
            }
        }
        return doc;
    }

private:
    std::mt19937_64 rng_;

    std::uint64_t below(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_); }
    bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }

    std::string ws() {
        static constexpr char chars[] = {' ', '\t', '\n', '\r'};
        std::string s;
        if (chance(70)) return s;
        for (std::uint64_t n = below(3) + 1; n > 0; --n) s += chars[below(4)];
        return s;
    }

    void value(std::string& s, int depth) {
        auto kind = below(depth >= 5 ? 3 : 6);
        switch (kind) {
        case 0: number(s); break;
        case 1: string(s, random_text()); break;
        case 2: s += std::array<char const*, 3>{"true", "false", "null"}[below(3)]; break;
        case 3: case 4: object(s, depth); break;
        default: array(s, depth); break;
        }
    }

    void array(std::string& s, int depth) {
        s += '[';
        s += ws();
        auto n = below(6);
        for (std::uint64_t i = 0; i < n; ++i) {
            if (i) { s += ws(); s += ','; s += ws(); }
            value(s, depth + 1);
        }
        s += ws();
        s += ']';
    }

    void object(std::string& s, int depth) {
        s += '{';
        s += ws();
        auto n = below(7);
        std::set<std::string> keys;
        for (std::uint64_t i = 0; i < n; ++i) {
            std::string k = key();
            if (!keys.insert(k).second) continue;  // duplicates are refused by design; not compared here
            if (keys.size() > 1) { s += ws(); s += ','; s += ws(); }
            string(s, k);
            s += ws();
            s += ':';
            s += ws();
            value(s, depth + 1);
        }
        s += ws();
        s += '}';
    }

    std::string key() {
        static char const* const tricky[] = {"0", "1", "2", "9", "10", "01", "00", "-1", "1.0", "1e3", " 1", "1 ",
                                             "4294967294", "4294967295", "4294967296", "99999999999", "a", "b",
                                             "", "__proto__", "length", "\xe2\x80\xa8", "\xf0\x9f\x98\x80"};
        switch (below(4)) {
        case 0: return tricky[below(std::size(tricky))];
        case 1: return std::to_string(below(20));
        case 2: return std::to_string(below(5'000'000'000ull));
        default: return random_text(6);
        }
    }

    // A random code point sequence as UTF-8 (no surrogates).
    std::string random_text(std::uint64_t max_len = 12) {
        std::string t;
        for (std::uint64_t n = below(max_len + 1); n > 0; --n) {
            std::uint32_t cp = 0;
            switch (below(9)) {
            case 0: cp = static_cast<std::uint32_t>(below(0x20)); break;
            case 1: cp = std::array<std::uint32_t, 8>{'"', '\\', '/', 0x7F, 0x2028, 0x2029, 0xFEFF, 0xFFFF}[below(8)]; break;
            case 2: cp = static_cast<std::uint32_t>(0x80 + below(0x780)); break;
            case 3: cp = static_cast<std::uint32_t>(0x800 + below(0xD800 - 0x800)); break;
            case 4: cp = static_cast<std::uint32_t>(0xE000 + below(0x2000)); break;
            case 5: cp = static_cast<std::uint32_t>(0x10000 + below(0x100000)); break;
            default: cp = static_cast<std::uint32_t>(0x20 + below(0x5F)); break;
            }
            ssegw::utf8::append(t, cp);
        }
        return t;
    }

    void u_escape(std::uint32_t unit, std::string& s) {
        static constexpr char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
        char const* hex = chance(50) ? lower : upper;
        s += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4) s += hex[(unit >> shift) & 0xF];
    }

    // Writes `text` (UTF-8) as a JSON string token, escaping each character at random where JSON allows.
    void string(std::string& s, std::string const& text) {
        s += '"';
        for (std::size_t i = 0; i < text.size();) {
            auto c = static_cast<unsigned char>(text[i]);
            std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            std::uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
            for (std::size_t j = 1; j < len; ++j) cp = (cp << 6) | (static_cast<unsigned char>(text[i + j]) & 0x3F);
            bool must = cp < 0x20 || cp == '"' || cp == '\\';
            if (!must && !chance(15)) {
                s.append(text, i, len);
            } else if (cp >= 0x10000) {
                u_escape(0xD800 + ((cp - 0x10000) >> 10), s);
                u_escape(0xDC00 + ((cp - 0x10000) & 0x3FF), s);
            } else {
                char const* short_esc = nullptr;
                switch (cp) {
                case '"': short_esc = "\\\""; break;
                case '\\': short_esc = "\\\\"; break;
                case '/': short_esc = "\\/"; break;
                case '\b': short_esc = "\\b"; break;
                case '\f': short_esc = "\\f"; break;
                case '\n': short_esc = "\\n"; break;
                case '\r': short_esc = "\\r"; break;
                case '\t': short_esc = "\\t"; break;
                default: break;
                }
                if (short_esc && chance(70)) s += short_esc;
                else u_escape(cp, s);
            }
            i += len;
        }
        s += '"';
    }

    std::string digits(std::uint64_t n, bool leading_nonzero) {
        std::string d;
        for (std::uint64_t i = 0; i < n; ++i) d += static_cast<char>('0' + (i == 0 && leading_nonzero ? 1 + below(9) : below(10)));
        return d;
    }

    void number(std::string& s) {
        static char const* const tricky[] = {
            "0", "-0", "-0.0", "0e5", "1e21", "1e20", "999999999999999999999", "100000000000000000000",
            "1e-7", "1e-6", "0.000001", "0.0000001", "1.5e-7", "123e-20", "0.1", "0.2", "0.30000000000000004",
            "1.50", "1E2", "1e+2", "12345678901234567890", "9007199254740993", "9007199254740992",
            "18446744073709551616", "5e-324", "2e-324", "3e-324", "1e-400", "2.2250738585072014e-308",
            "1.7976931348623157e308", "4.9406564584124654e-324", "123456789012345680000", "1.0000000000000002",
            "-1e-7", "-123.456e-3", "100", "1e0", "0.5", "1e-5", "123e-7", "1.2e+21", "0.1e22", "1e22", "1e23"};
        switch (below(5)) {
        case 0: s += tricky[below(std::size(tricky))]; return;
        case 1: {  // a random double written out shortest, fixed or with 17 digits
            double d = 0;
            do {
                std::uint64_t bits = rng_();
                std::memcpy(&d, &bits, sizeof d);
            } while (d != d || d - d != 0);
            char buf[512];
            std::to_chars_result r{};
            switch (below(3)) {
            case 0: r = std::to_chars(buf, buf + sizeof buf, d); break;
            case 1: r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific, 17); break;
            default: r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific, static_cast<int>(below(25))); break;
            }
            s.append(buf, r.ptr);
            return;
        }
        case 2: {  // a ratio like 0.1 + 0.2: random double arithmetic
            double d = static_cast<double>(below(1000)) / static_cast<double>(below(999) + 1) +
                       static_cast<double>(below(1000)) / 10.0;
            if (chance(50)) d = -d;
            char buf[64];
            auto r = std::to_chars(buf, buf + sizeof buf, d);
            s.append(buf, r.ptr);
            return;
        }
        default: {  // random literal: sign, integer part, fraction, exponent
            std::string n;
            if (chance(30)) n += '-';
            n += chance(20) ? std::string("0") : digits(below(25) + 1, true);
            if (chance(50)) n += "." + digits(below(20) + 1, false);
            if (chance(50)) {
                n += chance(50) ? 'e' : 'E';
                if (chance(50)) n += chance(50) ? '+' : '-';
                n += std::to_string(below(330));
            }
            std::string err;
            if (!ecma_serialize(n, err)) n = "1";  // beyond a double: refused by design, not compared
            s += n;
            return;
        }
        }
    }
};

constexpr char node_script[] = R"JS(
const fs = require('fs');
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(l => l.length > 0);
const out = lines.map(l => {
  try { return JSON.stringify(JSON.stringify(JSON.parse(JSON.parse(l)))); }
  catch (e) { return JSON.stringify('!error: ' + e.name); }  // the message may quote half a surrogate pair
});
fs.writeFileSync(process.argv[3], out.join('\n') + '\n');
)JS";

std::string shell_quote(std::string const& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

} // namespace

TEST(ecma_json_differential, matches_node_json_stringify_json_parse) {
    ASSERT_EQ(std::system("command -v node >/dev/null 2>&1"), 0)
        << "node is not on PATH: the differential test needs it (scripts/install-deps installs nodejs)";

    constexpr std::uint64_t seed = 20261129;
    constexpr int count = 4000;    // valid documents: the bytes must match
    constexpr int mutated = 2000;  // the same kind, mutated: node's refusals must be ours too
    generator gen(seed);
    std::vector<std::string> docs;
    std::string in;
    for (int i = 0; i < count + mutated; ++i) {
        docs.push_back(i < count ? gen.document() : gen.mutate(gen.document()));
        in += nlohmann::json(docs.back()).dump() + '\n';
    }
    ssegw::it::temp_dir dir;
    ssegw::it::write_file(dir.file("in.jsonl"), in);
    ssegw::it::write_file(dir.file("stringify.js"), node_script);
    std::string cmd = "node " + shell_quote(dir.file("stringify.js").string()) + " " +
                      shell_quote(dir.file("in.jsonl").string()) + " " + shell_quote(dir.file("out.jsonl").string());
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

    std::istringstream results(ssegw::it::read_file(dir.file("out.jsonl")));
    std::string line;
    int compared = 0, mismatches = 0, both_refused = 0, refused_by_contract = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        auto const& doc = docs[i];
        ASSERT_TRUE(std::getline(results, line)) << "node wrote fewer results than documents";
        auto expected = nlohmann::json::parse(line, nullptr, false);
        ASSERT_TRUE(expected.is_string()) << line;
        std::string err;
        auto got = ecma_serialize(doc, err);
        std::string want = expected.get<std::string>();
        ++compared;
        if (i >= static_cast<std::size_t>(count)) {  // mutated
            bool node_refused = want.starts_with("!error: ");
            if (node_refused && !got) { ++both_refused; continue; }
            // Node accepts what the contract refuses: duplicate keys, lone surrogates, numbers
            // beyond a double (node writes null), deep nesting.
            if (!node_refused && !got &&
                (err.find("duplicate key") != std::string::npos || err.find("surrogate") != std::string::npos ||
                 err.find("range") != std::string::npos || err.find("deeper") != std::string::npos)) {
                ++refused_by_contract;
                continue;
            }
        }
        if (!got || *got != want) {
            if (++mismatches <= 10)
                ADD_FAILURE() << "document " << compared << ": " << nlohmann::json(doc).dump() << "\n node: "
                              << nlohmann::json(want).dump() << "\n ours: "
                              << (got ? nlohmann::json(*got).dump() : "refused: " + err);
        }
    }
    EXPECT_EQ(mismatches, 0);
    std::cout << "[ differential ] compared " << compared << " documents with node (seed " << seed << "): "
              << count << " generated valid, " << mutated << " mutated (" << both_refused
              << " refused by both, " << refused_by_contract << " refused by the contract only, "
              << mutated - both_refused - refused_by_contract << " accepted by both); " << mismatches
              << " mismatches\n";
    EXPECT_EQ(compared, count + mutated);
}

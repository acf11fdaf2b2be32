#include "webhookd/stream_entries.hpp"

#include <charconv>

namespace ssegw::webhookd {
namespace {

using kind = redis::value::kind;

std::optional<stream_entry> read_entry(redis::value const& e) {
    if (e.type != kind::array || e.elements.size() != 2 || e.elements[0].type != kind::string) return std::nullopt;
    stream_entry out{e.elements[0].str, {}};
    auto const& f = e.elements[1];
    if (f.type == kind::array) out.fields = f.pairs();
    else if (f.type != kind::nil) return std::nullopt;
    return out;
}

bool read_entries(redis::value const& list, std::vector<stream_entry>& out) {
    if (list.type != kind::array) return false;
    for (auto const& e : list.elements) {
        auto entry = read_entry(e);
        if (!entry) return false;
        out.push_back(std::move(*entry));
    }
    return true;
}

} // namespace

std::optional<std::vector<stream_entry>> read_group_reply(redis::value const& v) {
    std::vector<stream_entry> out;
    if (v.type == kind::nil) return out;
    if (v.type != kind::array) return std::nullopt;
    for (auto const& stream : v.elements) {
        if (stream.type != kind::array || stream.elements.size() != 2) return std::nullopt;
        if (!read_entries(stream.elements[1], out)) return std::nullopt;
    }
    return out;
}

std::optional<autoclaim_reply> read_autoclaim_reply(redis::value const& v) {
    if (v.type != kind::array || v.elements.size() < 2 || v.elements[0].type != kind::string) return std::nullopt;
    autoclaim_reply out{v.elements[0].str, {}, {}};
    if (!read_entries(v.elements[1], out.entries)) return std::nullopt;
    if (v.elements.size() > 2 && v.elements[2].type == kind::array)
        for (auto const& d : v.elements[2].elements)
            if (d.type == kind::string) out.deleted.push_back(d.str);
    return out;
}

std::optional<std::int64_t> entry_time_ms(std::string const& id) {
    std::int64_t ms = 0;
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), ms);
    if (ec != std::errc{} || end == id.data() || end == id.data() + id.size() || *end != '-') return std::nullopt;
    return ms;
}

} // namespace ssegw::webhookd

// The producer's envelope as it arrives on a Redis channel: parse_envelope (once per message,
// in the dispatcher) and raw_member.
//
// Invariants:
//  - never throws or crashes, on any bytes (raw_member too, although its contract asks for
//    valid JSON);
//  - when parse_envelope succeeds: `data` is a view into the input and valid JSON
//    (nlohmann::json::accept), equal as JSON to the DOM's "data" member; `id` is the DOM's "id"
//    string and parses to parsed_id; `event` is the DOM's "event" (default analysis_result),
//    non-empty, with no CR, LF or NUL;
//  - parse_envelope succeeds exactly when the DOM says the envelope is well formed (a
//    differential check against nlohmann's full parser, duplicates resolved the same way);
//  - on valid JSON objects, raw_member finds every top-level member, equal as JSON to the DOM's.
#include "common/envelope.hpp"
#include "tests/support/fuzz_check.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using ssegw::fuzz::printable;
using json = nlohmann::json;

namespace {

bool clean_token(std::string const& s) {
    return !s.empty() && s.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* bytes, std::size_t size) {
    std::string_view in(reinterpret_cast<char const*>(bytes), size);
    std::string error;
    auto env = ssegw::parse_envelope(in, error);
    (void)ssegw::raw_member(in, "data");  // memory safety only on arbitrary bytes

    json dom = json::parse(in, nullptr, false);
    bool ok_ref = false;
    if (!dom.is_discarded() && dom.is_object()) {
        auto id = dom.find("id");
        auto ev = dom.find("event");
        ok_ref = id != dom.end() && id->is_string() && ssegw::sse::parse_event_id(id->get_ref<std::string const&>()) &&
                 (ev == dom.end() || (ev->is_string() && clean_token(ev->get_ref<std::string const&>()))) &&
                 dom.contains("data");
    }
    FUZZ_CHECK(env.has_value() == ok_ref, printable(in) + (env ? " parsed" : " refused: " + error));
    FUZZ_CHECK(env.has_value() || !error.empty(), printable(in));

    if (env) {
        FUZZ_CHECK(ssegw::fuzz::is_view_into(env->data, in), printable(in));
        FUZZ_CHECK(json::accept(env->data), printable(env->data));
        FUZZ_CHECK(json::parse(env->data) == dom["data"], printable(in) + " data " + printable(env->data));
        FUZZ_CHECK(env->id == dom["id"].get<std::string>(), printable(env->id));
        FUZZ_CHECK(ssegw::sse::parse_event_id(env->id) == env->parsed_id, printable(env->id));
        FUZZ_CHECK(env->event == dom.value("event", std::string("analysis_result")), printable(env->event));
        FUZZ_CHECK(clean_token(env->event), printable(env->event));
    }

    if (!dom.is_discarded() && dom.is_object()) {
        int n = 0;
        for (auto const& [key, value] : dom.items()) {
            if (++n > 8) break;
            auto raw = ssegw::raw_member(in, key);
            FUZZ_CHECK(raw.has_value(), printable(in) + " key " + printable(key));
            FUZZ_CHECK(ssegw::fuzz::is_view_into(*raw, in), printable(in));
            FUZZ_CHECK(json::accept(*raw) && json::parse(*raw) == value, printable(in) + " key " + printable(key) + " raw " + printable(*raw));
        }
        FUZZ_CHECK(!ssegw::raw_member(in, std::string_view("\0absent", 7)).has_value() || dom.contains(std::string("\0absent", 7)), printable(in));
    } else if (!dom.is_discarded()) {
        FUZZ_CHECK(!ssegw::raw_member(in, "data").has_value(), printable(in));  // not an object
    }
    return 0;
}

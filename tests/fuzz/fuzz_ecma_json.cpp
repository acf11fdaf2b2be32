// ecma_serialize: the webhook body's bytes, JSON.stringify(JSON.parse(text)) as ECMAScript writes them.
//
// Invariants:
//  - never throws or crashes, on any bytes (the depth bound keeps the recursion short);
//  - a refusal always says why;
//  - on success: the output is valid JSON (nlohmann::json::accept), and so was the input (the
//    serialiser is stricter than RFC 8259, never looser); the output is a fixed point
//    (re-serialising it gives the same bytes);
//  - ecma_serialize_event_data agrees: it succeeds exactly when ecma_serialize does on an object
//    of at most 64 KiB serialised, with the same bytes.
#include "common/json/ecma_json.hpp"
#include "tests/support/fuzz_check.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using ssegw::fuzz::printable;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* bytes, std::size_t size) {
    std::string_view in(reinterpret_cast<char const*>(bytes), size);
    std::string error;
    auto out = ssegw::json::ecma_serialize(in, error);
    std::string data_error;
    auto data = ssegw::json::ecma_serialize_event_data(in, data_error);
    if (!out) {
        FUZZ_CHECK(!error.empty(), printable(in));
        FUZZ_CHECK(!data && !data_error.empty(), printable(in));
        return 0;
    }
    FUZZ_CHECK(nlohmann::json::accept(*out), printable(in) + " -> " + printable(*out));
    FUZZ_CHECK(nlohmann::json::accept(in), printable(in) + " accepted, but nlohmann refuses it");
    std::string again_error;
    auto again = ssegw::json::ecma_serialize(*out, again_error);
    FUZZ_CHECK(again.has_value(), printable(*out) + " refused: " + again_error);
    FUZZ_CHECK(*again == *out, printable(*out) + " -> " + printable(*again));
    bool data_ok = !out->empty() && out->front() == '{' && out->size() <= ssegw::json::max_event_data_bytes;
    FUZZ_CHECK(data.has_value() == data_ok, printable(in) + (data ? " data accepted" : " data refused: " + data_error));
    if (data) FUZZ_CHECK(*data == *out, printable(in));
    return 0;
}

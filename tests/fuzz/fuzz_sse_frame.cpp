// The SSE framer, as a round trip: frame events (and the comment and retry frames a stream
// interleaves) from arbitrary ids, event names and data, and parse the stream back with the
// WHATWG event-stream parser of test_support (tests/support/sse_parser).
//
// Input (FuzzedDataProvider): up to 8 frames, each a kind byte then its strings, each string a
// "random length string" (a backslash followed by any other byte ends it; "\\" is a backslash).
//
// Invariants:
//  - a client sees each event's data with line breaks normalised to LF (CRLF, CR, LF all end a
//    line, as in the spec), its id and its event type (message when empty), byte for byte;
//    ids and event names that break the framer's precondition (CR, LF or NUL) come back with
//    those bytes stripped, as frame.hpp promises; an event without an id keeps the previous one;
//  - comments and retry values come back in order;
//  - the chunked view of every frame, followed by the last chunk, decodes (strict RFC 9112
//    chunked decoder) to exactly the plain view; buffer(true/false) are those two views;
//  - append_event produces the same bytes as frame::event's body; frame::id() is
//    parse_event_id(id);
//  - the stream parses the same fed whole or cut at arbitrary points.
#include "common/sse/frame.hpp"
#include "tests/support/fuzz_check.hpp"
#include "tests/support/http_message.hpp"
#include "tests/support/sse_parser.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace ssegw;
using ssegw::fuzz::printable;
using ssegw::it::decode_chunked;
using ssegw::it::view_of;

namespace {

struct expected_event {
    std::string id, type, data;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* bytes, std::size_t size) {
    FuzzedDataProvider in(bytes, size);
    std::string body_stream, chunk_stream;
    std::vector<expected_event> events;
    std::vector<std::string> comments;
    std::vector<long> retries;
    std::string last_id;

    for (int n = 0; n < 8 && in.remaining_bytes() > 0; ++n) {
        auto kind = in.ConsumeIntegral<std::uint8_t>();
        sse::frame_ptr f;
        if (kind % 8 == 6) {
            auto text = in.ConsumeRandomLengthString(256);
            f = sse::frame::comment(text);
            comments.push_back(" " + fuzz::strip_breaks_and_nul(text));
        } else if (kind % 8 == 7) {
            auto ms = in.ConsumeIntegral<unsigned>();
            f = sse::frame::retry(ms);
            retries.push_back(static_cast<long>(ms));
        } else {
            auto id = in.ConsumeRandomLengthString(64);
            auto ev = in.ConsumeRandomLengthString(64);
            auto data = in.ConsumeRandomLengthString(4096);
            if (kind & 0x80) {  // respect the precondition exactly (the gateway validates both)
                id = fuzz::strip_breaks_and_nul(id);
                ev = fuzz::strip_breaks_and_nul(ev);
            }
            f = sse::frame::event(id, ev, data);
            std::string appended;
            sse::append_event(appended, id, ev, data);
            FUZZ_CHECK(appended == f->body(), printable(appended));
            FUZZ_CHECK(f->id() == sse::parse_event_id(id), printable(id));
            if (!id.empty()) last_id = fuzz::strip_breaks_and_nul(id);
            auto type = fuzz::strip_breaks_and_nul(ev);
            events.push_back({last_id, type.empty() ? "message" : type, it::normalise_breaks(data)});
        }
        FUZZ_CHECK(view_of(f->buffer(false)) == f->body(), "");
        FUZZ_CHECK(view_of(f->buffer(true)) == f->chunk(), "");
        std::string why;
        std::size_t chunks = 0;
        auto one = decode_chunked(std::string(f->chunk()) + "0\r\n\r\n", &why, &chunks);
        FUZZ_CHECK(one && chunks == 1 && *one == f->body(), printable(f->chunk()) + " " + why);
        body_stream.append(f->body());
        chunk_stream.append(f->chunk());
    }
    chunk_stream += "0\r\n\r\n";

    std::string why;
    auto decoded = decode_chunked(chunk_stream, &why);
    FUZZ_CHECK(decoded, printable(chunk_stream) + " " + why);
    FUZZ_CHECK(*decoded == body_stream, printable(*decoded) + " vs " + printable(body_stream));

    it::sse_parser whole;
    whole.feed(body_stream);
    FUZZ_CHECK(whole.events().size() == events.size(), printable(body_stream));
    for (std::size_t i = 0; i < events.size(); ++i) {
        auto const& got = whole.events()[i];
        auto const& want = events[i];
        FUZZ_CHECK(got.data == want.data, "event " + std::to_string(i) + " data " + printable(got.data) + " want " + printable(want.data));
        FUZZ_CHECK(got.id == want.id, "event " + std::to_string(i) + " id " + printable(got.id) + " want " + printable(want.id));
        FUZZ_CHECK(got.event == want.type, "event " + std::to_string(i) + " type " + printable(got.event) + " want " + printable(want.type));
    }
    FUZZ_CHECK(whole.comments() == comments, printable(body_stream));
    FUZZ_CHECK(whole.retries() == retries, printable(body_stream));
    FUZZ_CHECK(whole.unknown_lines().empty(), printable(body_stream));

    // Cut where a TCP segment boundary might fall (the remaining input picks the cuts).
    it::sse_parser pieces;
    std::string_view rest = body_stream;
    while (!rest.empty()) {
        std::size_t cut = in.remaining_bytes() ? in.ConsumeIntegralInRange<std::size_t>(1, rest.size()) : rest.size();
        pieces.feed(rest.substr(0, cut));
        rest.remove_prefix(cut);
    }
    FUZZ_CHECK(pieces.events().size() == whole.events().size(), printable(body_stream));
    for (std::size_t i = 0; i < events.size(); ++i)
        FUZZ_CHECK(pieces.events()[i].data == whole.events()[i].data && pieces.events()[i].id == whole.events()[i].id &&
                       pieces.events()[i].event == whole.events()[i].event,
                   printable(body_stream));
    return 0;
}

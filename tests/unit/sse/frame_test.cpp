// sse::frame: the wire bytes of one event (WHATWG event-stream), its chunked and plain views,
// and a round trip through test_support's WHATWG event-stream parser.
#include "common/sse/frame.hpp"
#include "tests/support/bytes.hpp"
#include "tests/support/http_message.hpp"
#include "tests/support/sse_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using ssegw::it::normalise_breaks;
using ssegw::it::view_of;
using ssegw::sse::frame;

// Decodes one HTTP/1.1 chunk "<hex>\r\n<body>\r\n" with test_support's strict chunked decoder;
// fails the test unless it is exactly one well-formed chunk.
std::string decode_chunk(std::string_view chunk) {
    std::string error;
    std::size_t chunks = 0;
    auto body = ssegw::it::decode_chunked(std::string(chunk) + "0\r\n\r\n", &error, &chunks);
    EXPECT_TRUE(body) << error << ": " << ssegw::it::printable(chunk);
    EXPECT_EQ(chunks, 1u) << ssegw::it::printable(chunk);
    return body.value_or("");
}

} // namespace

TEST(frame_format, event_has_id_event_data_and_blank_line) {
    auto f = frame::event("1738000000000-0", "analysis_result", R"({"deviceId":"cam-1"})");
    EXPECT_EQ(f->body(), "id: 1738000000000-0\nevent: analysis_result\ndata: {\"deviceId\":\"cam-1\"}\n\n");
}

TEST(frame_format, omits_empty_id_and_event) {
    EXPECT_EQ(frame::event("", "", "x")->body(), "data: x\n\n");
    EXPECT_EQ(frame::event("", "reset", "x")->body(), "event: reset\ndata: x\n\n");
}

TEST(frame_format, splits_multiline_data) {
    EXPECT_EQ(frame::event("", "", "a\nb\nc")->body(), "data: a\ndata: b\ndata: c\n\n");
}

TEST(frame_format, splits_data_on_crlf) {
    EXPECT_EQ(frame::event("", "", "a\r\nb")->body(), "data: a\ndata: b\n\n");
}

TEST(frame_format, splits_data_on_lone_cr) {
    EXPECT_EQ(frame::event("", "", "a\rb")->body(), "data: a\ndata: b\n\n");
}

TEST(frame_format, keeps_empty_lines_of_data) {
    EXPECT_EQ(frame::event("", "", "a\n\nb")->body(), "data: a\ndata: \ndata: b\n\n");
    EXPECT_EQ(frame::event("", "", "a\n")->body(), "data: a\ndata: \n\n");
    EXPECT_EQ(frame::event("", "", "\r\r\n")->body(), "data: \ndata: \ndata: \n\n");
}

TEST(frame_format, empty_data_is_one_empty_data_line) {
    EXPECT_EQ(frame::event("1-0", "", "")->body(), "id: 1-0\ndata: \n\n");
}

TEST(frame_format, keeps_leading_space_of_data) {
    // "data:  x" parses back to " x": exactly one space is consumed by the parser.
    EXPECT_EQ(frame::event("", "", " x")->body(), "data:  x\n\n");
}

TEST(frame_format, strips_line_breaks_and_nul_from_id_and_event) {
    std::string const id("1-\r0\n\0", 6);
    std::string const ev("ana\nlysis\r_res\0ult", 18);
    auto f = frame::event(id, ev, "x");
    EXPECT_EQ(f->body(), "id: 1-0\nevent: analysis_result\ndata: x\n\n");
    ssegw::it::sse_parser p;
    p.feed(f->body());
    ASSERT_EQ(p.events().size(), 1u);
    EXPECT_EQ(p.events()[0].id, "1-0");
    EXPECT_EQ(p.events()[0].event, "analysis_result");
}

TEST(frame_format, chunk_is_hex_length_body_crlf) {
    auto f = frame::event("1-0", "analysis_result", std::string(300, 'x'));
    std::string_view body = f->body();
    char head[32];
    std::snprintf(head, sizeof head, "%zx\r\n", body.size());
    EXPECT_EQ(f->chunk(), std::string(head) + std::string(body) + "\r\n");
    EXPECT_EQ(decode_chunk(f->chunk()), body);
}

TEST(frame_format, buffer_picks_chunked_or_plain_view) {
    auto f = frame::event("1-0", "e", "d");
    EXPECT_EQ(view_of(f->buffer(true)), f->chunk());
    EXPECT_EQ(view_of(f->buffer(false)), f->body());
    EXPECT_EQ(view_of(f->buffer(false)), "id: 1-0\nevent: e\ndata: d\n\n");
}

TEST(frame_format, comment_is_colon_line_and_blank_line) {
    auto f = frame::comment("keepalive");
    EXPECT_EQ(f->body(), ": keepalive\n\n");
    EXPECT_EQ(decode_chunk(f->chunk()), ": keepalive\n\n");
    EXPECT_FALSE(f->id().has_value());
}

TEST(frame_format, comment_strips_line_breaks) {
    EXPECT_EQ(frame::comment("a\r\nb")->body(), ": ab\n\n");
}

TEST(frame_format, retry_field) {
    auto f = frame::retry(3000);
    EXPECT_EQ(f->body(), "retry: 3000\n\n");
    EXPECT_EQ(decode_chunk(f->chunk()), "retry: 3000\n\n");
    ssegw::it::sse_parser p;
    p.feed(f->body());
    EXPECT_EQ(p.retries(), std::vector<long>{3000});
    EXPECT_TRUE(p.events().empty());
}

TEST(frame_format, raw_text_is_chunked_as_is) {
    auto f = frame::raw("event: reset\ndata: {}\n\n");
    EXPECT_EQ(f->body(), "event: reset\ndata: {}\n\n");
    EXPECT_EQ(decode_chunk(f->chunk()), f->body());
}

TEST(frame_format, verbatim_is_the_same_bytes_both_ways) {
    std::string const bytes = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";
    auto f = frame::verbatim(bytes);
    EXPECT_EQ(f->body(), bytes);
    EXPECT_EQ(f->chunk(), bytes);
    EXPECT_EQ(view_of(f->buffer(true)), bytes);
    EXPECT_EQ(view_of(f->buffer(false)), bytes);

    auto last = frame::verbatim("0\r\n\r\n");
    EXPECT_EQ(view_of(last->buffer(true)), "0\r\n\r\n");
    EXPECT_EQ(view_of(last->buffer(false)), "0\r\n\r\n");
}

TEST(frame_id, parsed_for_redis_entry_ids) {
    auto f = frame::event("1738000000000-5", "analysis_result", "{}");
    ASSERT_TRUE(f->id().has_value());
    EXPECT_EQ(f->id()->ms, 1738000000000u);
    EXPECT_EQ(f->id()->seq, 5u);
}

TEST(frame_id, nullopt_for_other_ids) {
    EXPECT_FALSE(frame::event("", "e", "d")->id().has_value());
    EXPECT_FALSE(frame::event("abc", "e", "d")->id().has_value());
    EXPECT_FALSE(frame::event("1-2-3", "e", "d")->id().has_value());
    EXPECT_FALSE(frame::retry(10)->id().has_value());
    EXPECT_FALSE(frame::verbatim("x")->id().has_value());
}

TEST(frame_format, append_event_matches_frame_body) {
    std::string out = "retry: 1\n\n";
    ssegw::sse::append_event(out, "1-0", "e", "a\nb");
    EXPECT_EQ(out, "retry: 1\n\nid: 1-0\nevent: e\ndata: a\ndata: b\n\n");
}

// The property that matters to clients: whatever the producer's data, an EventSource hands
// back the same text (with line breaks normalised to LF, as the spec does).
TEST(frame_round_trip, whatwg_parser_gives_back_the_data) {
    std::mt19937 rng(20240601);
    static constexpr std::string_view pieces[] = {"\r", "\n", "\r\n", "\n\r", "\r\r", "\n\n", " ", ":", ": ",
                                                  "data: ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                                  "\xef\xbb\xbf", "{\"a\":[1,2]}", "id: 9-9", "\t"};
    std::uniform_int_distribution<int> len_dist(0, 40);
    std::uniform_int_distribution<int> kind(0, 2);
    std::uniform_int_distribution<int> byte(1, 255);  // no NUL
    std::uniform_int_distribution<std::size_t> piece(0, std::size(pieces) - 1);
    std::uniform_int_distribution<std::uint64_t> num(0, 2000000000000ull);

    for (int iter = 0; iter < 5000; ++iter) {
        std::string data;
        int n = len_dist(rng);
        for (int k = 0; k < n; ++k) {
            if (kind(rng) == 0) data.append(pieces[piece(rng)]);
            else data.push_back(static_cast<char>(byte(rng)));
        }
        std::string const id = std::to_string(num(rng)) + "-" + std::to_string(num(rng) % 100);
        std::string ev = "analysis_result";
        if (iter % 3 == 1) ev = " spaced: type";
        auto f = frame::event(id, ev, data);

        ssegw::it::sse_parser p;
        p.feed(f->body());
        ASSERT_EQ(p.events().size(), 1u) << "iteration " << iter;
        EXPECT_EQ(p.events()[0].data, normalise_breaks(data)) << "iteration " << iter;
        EXPECT_EQ(p.events()[0].id, id);
        EXPECT_EQ(p.events()[0].event, ev);
        EXPECT_EQ(decode_chunk(f->chunk()), f->body());
    }
}

TEST(frame_round_trip, every_line_break_kind) {
    for (std::string_view brk : {"\n", "\r", "\r\n"}) {
        for (std::string data : {std::string("a") + std::string(brk) + "b", std::string(brk),
                                 std::string(brk) + std::string(brk), std::string("x") + std::string(brk),
                                 std::string(brk) + "y"}) {
            ssegw::it::sse_parser p;
            p.feed(frame::event("1-0", "e", data)->body());
            ASSERT_EQ(p.events().size(), 1u);
            EXPECT_EQ(p.events()[0].data, normalise_breaks(data));
        }
    }
}

TEST(frame_round_trip, whole_stream_of_frames) {
    std::string stream;
    stream += frame::retry(3000)->body();
    stream += frame::event("1-0", "analysis_result", "{\"n\":1}")->body();
    stream += frame::comment("keepalive")->body();
    stream += frame::event("1-1", "analysis_result", "line1\r\nline2")->body();
    stream += frame::event("", "reset", "{\"reason\":\"unknown_id\"}")->body();
    stream += frame::event("2-0", "analysis_result", "")->body();

    ssegw::it::sse_parser p;
    p.feed(stream);
    EXPECT_EQ(p.retries(), std::vector<long>{3000});
    ASSERT_EQ(p.events().size(), 4u);
    EXPECT_EQ(p.events()[0].id, "1-0");
    EXPECT_EQ(p.events()[0].data, "{\"n\":1}");
    EXPECT_EQ(p.events()[1].id, "1-1");
    EXPECT_EQ(p.events()[1].data, "line1\nline2");
    EXPECT_EQ(p.events()[2].event, "reset");
    EXPECT_EQ(p.events()[2].id, "1-1");  // no id field: the last event id carries over
    EXPECT_EQ(p.events()[3].id, "2-0");
    EXPECT_EQ(p.events()[3].data, "");
    ASSERT_EQ(p.comments().size(), 1u);
    EXPECT_EQ(p.comments()[0], " keepalive");
}

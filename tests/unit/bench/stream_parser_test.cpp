// sse-bench's response reader: head, chunked bodies split anywhere, event-stream lines and fields.
#include "bench/stream_parser.hpp"

#include <gtest/gtest.h>

namespace ssegw::bench {
namespace {

std::string const chunked_head =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string chunk(std::string const& s) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx", s.size());
    return std::string(size) + "\r\n" + s + "\r\n";
}

// Feeds `bytes` split into pieces of `step` and collects every event.
std::vector<bench_event> feed_in_pieces(stream_parser& p, std::string const& bytes, std::size_t step) {
    std::vector<bench_event> all;
    for (std::size_t i = 0; i < bytes.size(); i += step) {
        EXPECT_TRUE(p.feed(std::string_view(bytes).substr(i, step))) << p.error();
        all.insert(all.end(), p.events().begin(), p.events().end());
    }
    return all;
}

TEST(bench_stream_parser, chunked_events_split_at_every_byte_boundary) {
    std::string const body = chunk("retry: 3000\n\n") + chunk(": keepalive\n\n") +
                             chunk("id: 1-0\nevent: analysis_result\ndata: {\"bench_seq\":7,\"bench_t\":123,\"x\":1}\n\n") +
                             chunk("id: 2-0\ndata: {\"bench_seq\": 8, \"bench_t\":456}\n\nid: 3-0\ndata: {\"other\":1}\n\n");
    for (std::size_t step : {1u, 2u, 3u, 7u, 1000u}) {
        stream_parser p;
        auto events = feed_in_pieces(p, chunked_head + body, step);
        ASSERT_EQ(events.size(), 3u) << "step " << step;
        EXPECT_EQ(events[0].seq, 7);
        EXPECT_EQ(events[0].sent_ns, 123);
        EXPECT_EQ(events[1].seq, 8);
        EXPECT_EQ(events[1].sent_ns, 456);
        EXPECT_EQ(events[2].seq, -1) << "no bench fields";
        EXPECT_EQ(p.last_id(), "3-0");
        EXPECT_EQ(p.status(), 200);
    }
}

TEST(bench_stream_parser, close_delimited_body_with_crlf_and_cr_line_ends) {
    stream_parser p;
    std::string const bytes = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                              "id: a\r\ndata: {\"bench_seq\":1}\r\n\r\nid: b\rdata: {\"bench_seq\":2}\r\r";
    auto events = feed_in_pieces(p, bytes, 5);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].seq, 1);
    EXPECT_EQ(events[1].seq, 2);
    EXPECT_EQ(p.last_id(), "b");
}

TEST(bench_stream_parser, refusals_and_malformed_responses_fail_with_a_reason) {
    stream_parser a;
    EXPECT_FALSE(a.feed("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n\r\n{}"));
    EXPECT_EQ(a.status(), 429);
    EXPECT_NE(a.error().find("429"), std::string::npos);

    stream_parser b;
    EXPECT_FALSE(b.feed("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"));
    EXPECT_NE(b.error().find("event-stream"), std::string::npos);

    stream_parser c;
    EXPECT_FALSE(c.feed(chunked_head + "zz\r\n"));
    EXPECT_EQ(c.state(), stream_parser::phase::failed);

    stream_parser d;
    EXPECT_FALSE(d.feed("garbage\r\n\r\n"));
}

TEST(bench_stream_parser, error_event_and_end_of_stream) {
    stream_parser p;
    ASSERT_TRUE(p.feed(chunked_head + chunk("retry: 5000\nevent: error\ndata: {\"error\":{}}\n\n") + "0\r\n\r\n"));
    ASSERT_EQ(p.events().size(), 1u);
    EXPECT_TRUE(p.events()[0].error);
    EXPECT_EQ(p.state(), stream_parser::phase::ended);
}

TEST(bench_stream_parser, reset_keeps_the_last_id_for_resume) {
    stream_parser p;
    ASSERT_TRUE(p.feed(chunked_head + chunk("id: 42-1\ndata: {}\n\n")));
    p.reset();
    EXPECT_EQ(p.state(), stream_parser::phase::head);
    EXPECT_EQ(p.last_id(), "42-1");
}

} // namespace
} // namespace ssegw::bench

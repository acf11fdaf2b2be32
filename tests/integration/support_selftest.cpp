// Self-tests of the suite's own SSE parser and chunked decoder: the other tests trust them.
#include "tests/support/bytes.hpp"
#include "tests/support/http_message.hpp"
#include "tests/support/sse_parser.hpp"

#include <gtest/gtest.h>

namespace ssegw::it {
namespace {

TEST(support_sse_parser, fields_comments_and_line_ends) {
    sse_parser p;
    p.feed("retry: 3000\n\n: keepalive\n\nid: 1-0\r\nevent: analysis_result\rdata: {\"a\":1}\n\n");
    ASSERT_EQ(p.events().size(), 1u);
    auto e = p.events().front();
    EXPECT_EQ(e.id, "1-0");
    EXPECT_EQ(e.event, "analysis_result");
    EXPECT_EQ(e.data, "{\"a\":1}");
    EXPECT_EQ(p.retries(), std::vector<long>{3000});
    ASSERT_EQ(p.comments().size(), 1u);
    EXPECT_EQ(p.comments()[0], " keepalive");
}

TEST(support_sse_parser, multiline_data_split_across_feeds) {
    sse_parser p;
    for (char c : std::string("data: {\r\ndata:   \"a\": 1\r\ndata:}\r\n\r\ndata\n\n")) p.feed(std::string(1, c));
    ASSERT_EQ(p.events().size(), 2u);
    EXPECT_EQ(p.events()[0].data, "{\n  \"a\": 1\n}");
    EXPECT_EQ(p.events()[0].event, "message");
    EXPECT_EQ(p.events()[1].data, "");
}

TEST(support_sse_parser, invalid_retry_and_unfinished_event) {
    sse_parser p;
    p.feed("retry: 12a\n\nretry\n\ndata: x\n");
    EXPECT_TRUE(p.retries().empty());
    EXPECT_TRUE(p.events().empty());
}

TEST(support_body_decoder, chunked_with_extensions_and_trailers) {
    auto head = parse_response_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked");
    ASSERT_TRUE(head);
    auto d = body_decoder::for_response(*head, "GET");
    std::string out;
    std::string raw = "5;x=y\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n";
    for (char c : raw) ASSERT_TRUE(d.feed(std::string(1, c), out)) << d.error();
    EXPECT_EQ(out, "hello world");
    EXPECT_TRUE(d.complete());
    EXPECT_TRUE(d.saw_last_chunk());
}

TEST(support_body_decoder, content_length_and_bad_chunk) {
    auto head = parse_response_head("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\ncontent-type: x");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->header("Content-Type"), "x");
    auto d = body_decoder::for_response(*head, "GET");
    std::string out;
    d.feed("abcdef", out);
    EXPECT_EQ(out, "abc");
    EXPECT_TRUE(d.complete());

    auto chead = parse_response_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked");
    auto c = body_decoder::for_response(*chead, "GET");
    EXPECT_FALSE(c.feed("zz\r\n", out));
}

TEST(support_decode_chunked, strict_whole_bodies_only) {
    std::size_t chunks = 0;
    EXPECT_EQ(decode_chunked("5\r\nhello\r\n1\r\n \r\n9\r\n\r\nworld\r\n\r\n0\r\n\r\n", nullptr, &chunks),
              "hello \r\nworld\r\n");
    EXPECT_EQ(chunks, 3u);
    EXPECT_EQ(decode_chunked("0\r\n\r\n"), "");
    for (char const* bad : {"5;x=y\r\nhello\r\n0\r\n\r\n",  // an extension
                            " 5\r\nhello\r\n0\r\n\r\n",      // whitespace
                            "5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", // a trailer
                            "5\r\nhello\r\n",                  // no last chunk
                            "5\r\nhelloXX0\r\n\r\n",          // no CRLF after the data
                            "5\r\nhello\r\n0\r\n\r\nx",       // bytes after the end
                            "\r\n0\r\n\r\n"}) {                 // no size
        std::string error;
        EXPECT_FALSE(decode_chunked(bad, &error)) << printable(bad);
        EXPECT_FALSE(error.empty()) << printable(bad);
    }
}

} // namespace
} // namespace ssegw::it

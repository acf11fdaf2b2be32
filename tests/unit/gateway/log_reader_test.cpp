#include "gateway/log_reader.hpp"

#include <hiredis/hiredis.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ssegw::gateway {
namespace {

// A real redisReply, parsed by hiredis from RESP bytes as Redis would send them.
std::unique_ptr<redisReply, void (*)(void*)> reply_of(std::string const& resp) {
    redisReader* reader = redisReaderCreate();
    redisReaderFeed(reader, resp.data(), resp.size());
    void* r = nullptr;
    EXPECT_EQ(redisReaderGetReply(reader, &r), REDIS_OK);
    redisReaderFree(reader);
    return {static_cast<redisReply*>(r), freeReplyObject};
}

std::string bulk(std::string const& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

std::string resp_entry(std::string const& id, std::string const& event, std::string const& data) {
    return "*2\r\n" + bulk(id) + "*4\r\n" + bulk("event") + bulk(event) + bulk("data") + bulk(data);
}

TEST(parse_xrange, entries_in_order_with_event_and_exact_data) {
    auto r = reply_of("*2\r\n" + resp_entry("1-0", "analysis_result", R"({"b":1,"a":0.10})") +
                      resp_entry("2-5", "other", "line1\nline2"));
    auto e = parse_xrange(r.get());
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].id, "1-0");
    EXPECT_EQ(e[0].parsed_id, (sse::event_id{1, 0}));
    EXPECT_EQ(e[0].event, "analysis_result");
    EXPECT_EQ(e[0].data, R"({"b":1,"a":0.10})");
    EXPECT_EQ(e[1].parsed_id, (sse::event_id{2, 5}));
    EXPECT_EQ(e[1].event, "other");
    EXPECT_EQ(e[1].data, "line1\nline2");
}

TEST(parse_xrange, entry_without_data_is_skipped_and_missing_event_defaults) {
    auto r = reply_of("*2\r\n*2\r\n" + bulk("1-0") + "*2\r\n" + bulk("event") + bulk("x") + "*2\r\n" + bulk("2-0") +
                      "*2\r\n" + bulk("data") + bulk("{}"));
    auto e = parse_xrange(r.get());
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].id, "2-0");
    EXPECT_EQ(e[0].event, "analysis_result");
}

TEST(parse_xrange, non_array_gives_nothing) {
    auto r = reply_of("-ERR no such key\r\n");
    EXPECT_TRUE(parse_xrange(r.get()).empty());
    EXPECT_TRUE(parse_xrange(nullptr).empty());
}

TEST(parse_xinfo, reads_the_fields_resume_needs) {
    std::string resp = "*14\r\n" + bulk("length") + ":4\r\n" + bulk("radix-tree-keys") + ":1\r\n" +
                       bulk("last-generated-id") + bulk("10-0") + bulk("max-deleted-entry-id") + bulk("3-0") +
                       bulk("entries-added") + ":10\r\n" + bulk("recorded-first-entry-id") + bulk("7-0") +
                       bulk("first-entry") + "*-1\r\n";
    auto info = parse_xinfo(reply_of(resp).get());
    ASSERT_TRUE(info);
    EXPECT_EQ(info->length, 4u);
    EXPECT_EQ(info->entries_added, 10u);
    EXPECT_EQ(info->last_generated, (sse::event_id{10, 0}));
    EXPECT_EQ(info->max_deleted, (sse::event_id{3, 0}));
    EXPECT_EQ(info->recorded_first, (sse::event_id{7, 0}));
}

} // namespace
} // namespace ssegw::gateway

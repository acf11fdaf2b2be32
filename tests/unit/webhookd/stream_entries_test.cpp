// Entries out of XREADGROUP and XAUTOCLAIM replies, and the publish time in an entry id.
#include "webhookd/stream_entries.hpp"

#include "tests/unit/support/redis_values.hpp"

#include <gtest/gtest.h>

namespace wd = ssegw::webhookd;
using ssegw::redis::value;
using namespace ssegw::test_values;

namespace {


value entry_value(std::string id, std::vector<std::string> fields) {
    std::vector<value> f;
    for (auto& x : fields) f.push_back(str(std::move(x)));
    return arr({str(std::move(id)), arr(std::move(f))});
}

} // namespace

TEST(stream_entries, read_group_reply) {
    auto empty = wd::read_group_reply(nil());
    ASSERT_TRUE(empty) << "BLOCK timed out: no entries";
    EXPECT_TRUE(empty->empty());
    auto got = wd::read_group_reply(
        arr({arr({str("webhook:events"), arr({entry_value("1-0", {"eventId", "e1", "type", "t"}), entry_value("2-5", {})})})}));
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), 2u);
    EXPECT_EQ((*got)[0].id, "1-0");
    EXPECT_EQ((*got)[0].fields, (ssegw::webhooks::hash_fields{{"eventId", "e1"}, {"type", "t"}}));
    EXPECT_EQ((*got)[1].id, "2-5");
    EXPECT_FALSE(wd::read_group_reply(str("OK")));
    EXPECT_FALSE(wd::read_group_reply(arr({arr({str("webhook:events")})})));
    EXPECT_FALSE(wd::read_group_reply(arr({arr({str("s"), arr({str("not an entry")})})})));
}

TEST(stream_entries, read_autoclaim_reply) {
    auto got = wd::read_autoclaim_reply(arr({str("7-0"), arr({entry_value("3-1", {"a", "b"})}), arr({str("2-0")})}));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->next_cursor, "7-0");
    ASSERT_EQ(got->entries.size(), 1u);
    EXPECT_EQ(got->entries[0].id, "3-1");
    EXPECT_EQ(got->deleted, (std::vector<std::string>{"2-0"}));
    auto deleted_fields = wd::read_autoclaim_reply(arr({str("0-0"), arr({arr({str("4-0"), nil()})})}));
    ASSERT_TRUE(deleted_fields) << "an entry deleted while pending comes with nil fields";
    EXPECT_TRUE(deleted_fields->entries[0].fields.empty());
    EXPECT_FALSE(wd::read_autoclaim_reply(arr({str("0-0")})));
    EXPECT_FALSE(wd::read_autoclaim_reply(err("NOGROUP")));
}

TEST(stream_entries, entry_time_ms) {
    EXPECT_EQ(wd::entry_time_ms("1769682600000-3"), 1769682600000);
    EXPECT_FALSE(wd::entry_time_ms("1769682600000"));
    EXPECT_FALSE(wd::entry_time_ms("-3"));
    EXPECT_FALSE(wd::entry_time_ms("x-1"));
}

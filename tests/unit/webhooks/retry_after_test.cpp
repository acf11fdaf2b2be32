// webhooks/delivery/retry_after: a receiver's Retry-After (docs/WEBHOOKS.md, "Retries") — delay-seconds and
// IMF-fixdate relative to now, and every malformed value ignored.
#include "webhooks/delivery/retry_after.hpp"

#include <gtest/gtest.h>

namespace wh = ssegw::webhooks;
using std::chrono::seconds;

namespace {

constexpr std::int64_t rfc_example = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

std::optional<seconds> parse(std::string_view v, std::int64_t now = rfc_example) {
    return wh::parse_retry_after(v, now);
}

TEST(retry_after, delay_seconds) {
    EXPECT_EQ(parse("120"), seconds{120});
    EXPECT_EQ(parse("0"), seconds{0});
    EXPECT_EQ(parse("007"), seconds{7});
    EXPECT_EQ(parse(" 30\t"), seconds{30});  // optional whitespace around a field value
    EXPECT_EQ(parse("3600"), seconds{3600});
}

TEST(retry_after, huge_delay_seconds_saturate_at_2_pow_31) {
    EXPECT_EQ(parse("2147483647"), seconds{2147483647});
    EXPECT_EQ(parse("2147483648"), seconds{2147483648LL});
    EXPECT_EQ(parse("2147483649"), seconds{2147483648LL});
    EXPECT_EQ(parse("99999999999999999999999999999"), seconds{2147483648LL});
}

TEST(retry_after, malformed_delay_seconds_are_ignored) {
    for (auto v : {"", " ", "-1", "+5", "1.5", "12a", "1 2", "0x10", "1e3", "١٢"})
        EXPECT_EQ(parse(v), std::nullopt) << v;
}

TEST(retry_after, an_imf_fixdate_is_relative_to_now) {
    EXPECT_EQ(parse("Sun, 06 Nov 1994 08:49:37 GMT", rfc_example - 90), seconds{90});
    EXPECT_EQ(parse("Sun, 06 Nov 1994 08:49:37 GMT", rfc_example), seconds{0});
    EXPECT_EQ(parse("Sun, 06 Nov 1994 08:49:37 GMT", rfc_example + 10), seconds{0});  // past: no wait
    EXPECT_EQ(parse("Thu, 29 Jan 2026 10:30:00 GMT", 1769682600 - 3600), seconds{3600});
    EXPECT_EQ(parse("  Thu, 29 Jan 2026 10:30:00 GMT ", 1769682600 - 1), seconds{1});
    EXPECT_EQ(parse("Tue, 29 Feb 2000 00:00:00 GMT", 951782400 - 5), seconds{5});  // a leap day
    EXPECT_EQ(parse("Wed, 31 Dec 2025 23:59:60 GMT", 1767225599), seconds{1});     // a leap second
    EXPECT_EQ(parse("Sun, 06 Nov 1994 08:49:37 GMT", 0), seconds{rfc_example});       // from the epoch
}

TEST(retry_after, other_date_forms_and_bad_dates_are_ignored) {
    for (auto v : {"Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850 form: obsolete, senders may not produce it
                   "Sun Nov  6 08:49:37 1994",        // asctime form
                   "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 +0000", "sun, 06 nov 1994 08:49:37 GMT",
                   "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
                   "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 31 Feb 2026 00:00:00 GMT", "Sun, 29 Feb 2026 00:00:00 GMT",
                   "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
                   "Sun, 06 Nov 1994 08:49:61 GMT", "Sun, 06 Nov 1994 08:49:37 GMT x", "Sun,06 Nov 1994 08:49:37 GMT"})
        EXPECT_EQ(parse(v), std::nullopt) << v;
}

} // namespace

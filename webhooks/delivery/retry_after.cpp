#include "webhooks/delivery/retry_after.hpp"

#include <array>

namespace ssegw::webhooks {
namespace {

constexpr std::int64_t saturation = std::int64_t{1} << 31;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool digit(char c) { return c >= '0' && c <= '9'; }

/// The value of `n` digits at `s[at]`, or -1.
int digits(std::string_view s, std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (!digit(s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

std::optional<std::int64_t> delay_seconds(std::string_view s) {
    std::int64_t v = 0;
    for (char c : s) {
        if (!digit(c)) return std::nullopt;
        v = v * 10 + (c - '0');
        if (v > saturation) v = saturation;  // stays below overflow: at most 2^31 * 10 + 9
    }
    return v;
}

/// Unix seconds of an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT` (names case-sensitive, as the
/// grammar has them; the weekday is not checked against the date).
std::optional<std::int64_t> imf_fixdate(std::string_view s) {
    static constexpr std::array<std::string_view, 7> days{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
        s[22] != ':' || s.substr(25) != " GMT")
        return std::nullopt;
    bool day_ok = false;
    for (auto d : days) day_ok = day_ok || s.substr(0, 3) == d;
    unsigned month = 0;
    for (unsigned m = 0; m < months.size(); ++m)
        if (s.substr(8, 3) == months[m]) month = m + 1;
    int day = digits(s, 5, 2), year = digits(s, 12, 4), hour = digits(s, 17, 2), minute = digits(s, 20, 2),
        second = digits(s, 23, 2);
    if (!day_ok || month == 0 || day < 0 || year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        second < 0 || second > 60)  // 60: a leap second, which the grammar allows
        return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                    std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return std::nullopt;
    auto days_since_epoch = std::chrono::sys_days{ymd}.time_since_epoch().count();
    return std::int64_t{days_since_epoch} * 86400 + hour * 3600 + minute * 60 + second;
}

} // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::int64_t now_unix_seconds) {
    value = trim(value);
    if (value.empty()) return std::nullopt;
    if (digit(value.front())) {
        auto d = delay_seconds(value);
        if (!d) return std::nullopt;
        return std::chrono::seconds{*d};
    }
    auto at = imf_fixdate(value);
    if (!at) return std::nullopt;
    auto delay = *at - now_unix_seconds;
    if (delay < 0) delay = 0;
    if (delay > saturation) delay = saturation;
    return std::chrono::seconds{delay};
}

} // namespace ssegw::webhooks

#include "common/time/iso8601.hpp"

#include <chrono>
#include <cstdio>

namespace ssegw::iso8601 {
namespace {

using namespace std::chrono;

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

// Days since the epoch of a checked civil date, or nullopt.
std::optional<std::int64_t> day_number(int y, int m, int d) {
    year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days(ymd).time_since_epoch().count();
}

std::optional<std::int64_t> date_part(std::string_view s) {
    int y, m, d;
    if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' || !digits(s, 8, 2, d))
        return std::nullopt;
    auto days = day_number(y, m, d);
    if (!days) return std::nullopt;
    return *days * 86400000;
}

} // namespace

std::string format_ms(std::int64_t unix_ms) {
    auto tp = sys_time<milliseconds>(milliseconds(unix_ms));
    auto days = floor<std::chrono::days>(tp);
    year_month_day ymd{days};
    hh_mm_ss hms{tp - days};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
    return buf;
}

std::optional<std::int64_t> parse_date(std::string_view s) {
    if (s.size() != 10) return std::nullopt;
    return date_part(s);
}

std::optional<std::int64_t> parse_date_time(std::string_view s) {
    auto day = date_part(s);
    int hh, mm, ss;
    if (!day || s.size() < 20 || s[10] != 'T' || !digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm) ||
        s[16] != ':' || !digits(s, 17, 2, ss) || hh > 23 || mm > 59 || ss > 59)
        return std::nullopt;
    std::size_t pos = 19;
    int ms = 0;
    if (s[pos] == '.') {
        std::size_t start = ++pos;
        int scale = 100;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            ms += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start) return std::nullopt;
    }
    std::int64_t offset_min = 0;
    auto zone = s.substr(pos);
    if (zone == "Z") {
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        int oh, om;
        if (!digits(zone, 1, 2, oh) || !digits(zone, 4, 2, om) || oh > 23 || om > 59) return std::nullopt;
        offset_min = (zone[0] == '+' ? 1 : -1) * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    return *day + ((hh * 60 + mm) * 60 + ss) * 1000ll + ms - offset_min * 60000;
}

std::int64_t now_ms() { return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count(); }

} // namespace ssegw::iso8601

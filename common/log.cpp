#include "common/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace ssegw::log {
namespace {

std::atomic<int> min_level{static_cast<int>(level::info)};
std::mutex instance_mutex;
std::string instance;

char const* name(level l) {
    switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
    }
    return "info";
}

std::string timestamp() {
    auto now = std::chrono::system_clock::now();
    auto t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf;
}

} // namespace

bool parse_level(std::string_view text, level& out) {
    for (auto l : {level::debug, level::info, level::warn, level::error})
        if (text == name(l)) {
            out = l;
            return true;
        }
    return false;
}

void set_level(level l) { min_level = static_cast<int>(l); }

void set_instance(std::string_view id) {
    std::lock_guard lock(instance_mutex);
    instance = id;
}

bool enabled(level l) { return static_cast<int>(l) >= min_level.load(std::memory_order_relaxed); }

void write(level l, std::string_view msg, nlohmann::json fields) {
    nlohmann::json line = nlohmann::json::object();
    line["ts"] = timestamp();
    line["level"] = name(l);
    line["msg"] = msg;
    {
        std::lock_guard lock(instance_mutex);
        if (!instance.empty()) line["instance"] = instance;
    }
    if (fields.is_object())
        for (auto& [k, v] : fields.items()) line[k] = std::move(v);
    // Replace invalid UTF-8 rather than throw: log fields may carry client bytes.
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stderr);  // one write per line keeps lines whole
}

} // namespace ssegw::log

// JSON-lines logging on stderr: one object per line, safe from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace ssegw::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

/// Parses "debug"/"info"/"warn"/"error".
bool parse_level(std::string_view text, level& out);
void set_level(level l);
void set_instance(std::string_view instance_id);
bool enabled(level l);

/// Writes {"ts":…,"level":…,"msg":…,"instance":…, …fields} as one line.
void write(level l, std::string_view msg, nlohmann::json fields = nlohmann::json::object());

inline void debug(std::string_view m, nlohmann::json f = nlohmann::json::object()) {
    if (enabled(level::debug)) write(level::debug, m, std::move(f));
}
inline void info(std::string_view m, nlohmann::json f = nlohmann::json::object()) {
    if (enabled(level::info)) write(level::info, m, std::move(f));
}
inline void warn(std::string_view m, nlohmann::json f = nlohmann::json::object()) {
    if (enabled(level::warn)) write(level::warn, m, std::move(f));
}
inline void error(std::string_view m, nlohmann::json f = nlohmann::json::object()) {
    write(level::error, m, std::move(f));
}

} // namespace ssegw::log

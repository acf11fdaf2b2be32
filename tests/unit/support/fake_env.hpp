// The environment a config parser sees in unit tests: a static table handed in as its getenv, so
// the process environment stays untouched.
#pragma once

#include <map>
#include <string>

namespace ssegw::test {

inline std::map<std::string, std::string>& fake_env() {
    static std::map<std::string, std::string> env;
    return env;
}

inline char const* fake_getenv(char const* name) {
    auto it = fake_env().find(name);
    return it == fake_env().end() ? nullptr : it->second.c_str();
}

} // namespace ssegw::test

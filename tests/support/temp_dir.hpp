// A private scratch directory per test (process logs, stdin files), removed on destruction.
#pragma once

#include <filesystem>
#include <string>

namespace ssegw::it {

class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;

    std::filesystem::path const& path() const noexcept { return path_; }
    /// A path inside the directory.
    std::filesystem::path file(std::string const& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

/// Reads a whole file ("" if it cannot be read).
std::string read_file(std::filesystem::path const& p);
/// Writes a whole file; throws std::runtime_error on failure.
void write_file(std::filesystem::path const& p, std::string const& content);

} // namespace ssegw::it

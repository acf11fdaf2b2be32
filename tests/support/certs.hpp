// Test certificates made by the openssl command line in a test's directory (EC P-256: fast to
// make), and running a program to completion for such one-shot tools (openssl, curl).
#pragma once

#include "tests/support/wait.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ssegw::it {

struct run_result {
    std::optional<int> status;  // raw wait status; nullopt if it had to be killed
    std::string out, err;
    bool ok() const;
    int exit_code() const;  // -1 unless it exited
};

/// Runs a program to completion (stdin /dev/null, output in files under `dir`), killed after `limit`.
run_result run(std::filesystem::path const& dir, std::string program, std::vector<std::string> args,
               std::vector<std::pair<std::string, std::string>> env = {}, clock::duration limit = 8s);

/// The openssl executable ("" if not installed).
std::string openssl_bin();

/// A certificate authority in `dir`: NAME.pem, NAME.key. Throws std::runtime_error on failure.
void make_ca(std::filesystem::path const& dir, std::string const& name);

struct server_cert_options {
    std::string san = "IP:127.0.0.1";  // the subjectAltName extension's value
    int days = 2;                      // -1: notAfter a day before notBefore, i.e. already expired
};

/// A server certificate signed by `ca` (made by make_ca in `dir`), with subject CN=`cn` and
/// `serial`, written to `cert` and `key`. Throws std::runtime_error on failure.
void make_server_cert(std::filesystem::path const& dir, std::string const& ca, std::string const& cn,
                      std::string const& serial, std::filesystem::path const& cert, std::filesystem::path const& key,
                      server_cert_options o = {});

} // namespace ssegw::it

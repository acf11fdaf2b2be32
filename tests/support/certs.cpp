#include "tests/support/certs.hpp"

#include "tests/support/nginx.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <sys/wait.h>

#include <atomic>
#include <stdexcept>

namespace ssegw::it {

namespace fs = std::filesystem;

bool run_result::ok() const { return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0; }
int run_result::exit_code() const { return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1; }

run_result run(fs::path const& dir, std::string program, std::vector<std::string> args,
               std::vector<std::pair<std::string, std::string>> env, clock::duration limit) {
    static std::atomic<int> runs{0};
    auto n = std::to_string(++runs);
    process_options o;
    o.path = std::move(program);
    o.args = std::move(args);
    o.env = std::move(env);
    o.stdout_file = (dir / ("run-" + n + ".out")).string();
    o.stderr_file = (dir / ("run-" + n + ".err")).string();
    process p(o);
    run_result r;
    r.status = p.wait_until(in(limit));
    r.out = read_file(o.stdout_file);
    r.err = read_file(o.stderr_file);
    return r;
}

std::string openssl_bin() { return find_program("openssl"); }

void make_ca(fs::path const& dir, std::string const& name) {
    auto r = run(dir, openssl_bin(),
                 {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                  "-subj", "/CN=" + name, "-keyout", (dir / (name + ".key")).string(), "-out",
                  (dir / (name + ".pem")).string()});
    if (!r.ok()) throw std::runtime_error("openssl req (CA) failed: " + r.err);
}

void make_server_cert(fs::path const& dir, std::string const& ca, std::string const& cn, std::string const& serial,
                      fs::path const& cert, fs::path const& key, server_cert_options o) {
    auto csr = dir / (cn + ".csr");
    auto ext = dir / (cn + "-san.ext");
    write_file(ext, "subjectAltName=" + o.san + "\n");
    auto r = run(dir, openssl_bin(),
                 {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + cn,
                  "-keyout", key.string(), "-out", csr.string()});
    if (!r.ok()) throw std::runtime_error("openssl req (server) failed: " + r.err);
    r = run(dir, openssl_bin(),
            {"x509", "-req", "-in", csr.string(), "-CA", (dir / (ca + ".pem")).string(), "-CAkey",
             (dir / (ca + ".key")).string(), "-set_serial", serial, "-days", std::to_string(o.days), "-extfile",
             ext.string(), "-out", cert.string()});
    if (!r.ok()) throw std::runtime_error("openssl x509 (server) failed: " + r.err);
}

} // namespace ssegw::it

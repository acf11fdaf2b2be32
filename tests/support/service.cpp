// A service binary as a child process: port from the "listening" log line, then /readyz 200.
#include "tests/support/service.hpp"

#include <cstdlib>

#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <sstream>
#include <stdexcept>

#ifndef SSEGW_GATEWAY_BIN
#error "SSEGW_GATEWAY_BIN must name the sse-gateway binary"
#endif
#ifndef SSEGW_WEBHOOKD_BIN
#error "SSEGW_WEBHOOKD_BIN must name the sse-webhookd binary"
#endif

namespace ssegw::it {
namespace {

// The port in a line holding "msg":"listening" and "address":"127.0.0.1:PORT"; 0 if none.
std::uint16_t port_from_log(std::string const& log) {
    std::istringstream in(log);
    std::string line;
    while (std::getline(in, line)) {
        if (line.find("\"listening\"") == std::string::npos) continue;
        std::string address;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.is_object() && j.value("msg", "") == "listening" && j.contains("address") &&
            j["address"].is_string()) {
            address = j["address"].get<std::string>();
        } else {
            auto a = line.find("\"address\":\"");
            if (a == std::string::npos) continue;
            a += 11;
            address = line.substr(a, line.find('"', a) - a);
        }
        auto colon = address.rfind(':');
        if (colon == std::string::npos) continue;
        try {
            int p = std::stoi(address.substr(colon + 1));
            if (p > 0 && p < 65536) return static_cast<std::uint16_t>(p);
        } catch (std::exception const&) {
        }
    }
    return 0;
}

} // namespace

// scripts/test points these at sanitizer builds and reruns the suite.
std::string gateway_binary() {
    if (char const* p = std::getenv("SSEGW_GATEWAY_BIN"); p && *p) return p;
    return SSEGW_GATEWAY_BIN;
}

std::string webhookd_binary() {
    if (char const* p = std::getenv("SSEGW_WEBHOOKD_BIN"); p && *p) return p;
    return SSEGW_WEBHOOKD_BIN;
}

service::service(std::string binary, std::string name, std::filesystem::path const& dir, std::string redis_url,
                 std::string instance_id, std::vector<std::string> extra_args, bool wait_ready,
                 std::vector<std::pair<std::string, std::string>> env)
    : name_(std::move(name)), instance_id_(std::move(instance_id)),
      log_path_(dir / (name_ + "-" + instance_id_ + ".log")) {
    process_options o;
    o.path = std::move(binary);
    o.args = {"--listen", "127.0.0.1:0", "--redis", std::move(redis_url), "--instance-id", instance_id_};
    o.args.insert(o.args.end(), extra_args.begin(), extra_args.end());
    o.env = std::move(env);
    o.stderr_file = log_path_.string();
    o.stdout_file = (dir / (name_ + "-" + instance_id_ + ".stdout")).string();
    proc_ = std::make_unique<process>(o);

    bool listening = poll_until(in(10s), [&] {
        if (!proc_->running()) return true;
        port_ = port_from_log(log());
        return port_ != 0;
    });
    if (!listening || port_ == 0)
        throw std::runtime_error(name_ + " " + instance_id_ + " did not log its listening address (" +
                                 describe_status(proc_->status()) + "); log:\n" + log_tail(60));
    if (wait_ready && !wait_readyz(200, in(10s)))
        throw std::runtime_error(name_ + " " + instance_id_ + " /readyz never answered 200 (" +
                                 describe_status(proc_->status()) + "); log:\n" + log_tail(60));
}

service::~service() { proc_->kill_now(); }

std::string service::log() const { return read_file(log_path_); }

std::string service::log_tail(std::size_t n) const {
    auto l = log();
    std::size_t pos = l.size();
    for (std::size_t i = 0; i <= n && pos != std::string::npos && pos > 0; ++i) pos = l.rfind('\n', pos - 1);
    return pos == std::string::npos ? l : l.substr(pos + 1);
}

int service::readyz_status() const {
    try {
        return http_get(port_, "/readyz", {}, in(2s)).status();
    } catch (std::exception const&) {
        return 0;
    }
}

bool service::wait_readyz(int status, deadline d) const {
    return poll_until(d, [&] { return proc_->running() && readyz_status() == status; }, 50ms);
}

} // namespace ssegw::it

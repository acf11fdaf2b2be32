// sse-gateway: flags -> server -> exit code.
#include "common/log.hpp"
#include "gateway/config.hpp"
#include "gateway/server.hpp"

#include <csignal>
#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    using namespace ssegw;
    auto parsed = gateway::parse_config(argc, argv);
    if (!parsed.cfg) {
        std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
        if (parsed.exit_code != 0) std::fputc('\n', stderr);
        return parsed.exit_code;
    }
    auto& cfg = *parsed.cfg;
    if (!cfg.tls_cert.empty()) {
        std::fputs("sse-gateway: --tls-cert/--tls-key: TLS is not available in this build yet; "
                   "terminate TLS in front of the gateway (deploy/nginx)\n",
                   stderr);
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);  // a client that vanished is an error code, not a signal
    log::set_level(cfg.log_level);
    log::set_instance(cfg.instance_id);
    try {
        gateway::server srv(cfg);
        return srv.run();
    } catch (std::exception const& e) {
        log::error("fatal", {{"error", e.what()}});
        return 1;
    }
}

// sse-gateway: flags -> server -> exit code.
#include "common/fd_limit.hpp"
#include "common/log.hpp"
#include "gateway/config.hpp"
#include "gateway/server.hpp"
#include "common/tls/server_context.hpp"

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
    std::signal(SIGPIPE, SIG_IGN);  // a client that vanished is an error code, not a signal
    log::set_level(cfg.log_level);
    log::set_instance(cfg.instance_id);
    raise_and_log_fd_limit(cfg.max_connections, "--max-connections");
    tls::context_ptr tls;
    if (!cfg.tls_cert.empty()) {
        // Checked before anything starts: a bad file is a configuration error (exit 2).
        auto r = tls::load_server_context(cfg.tls_cert, cfg.tls_key);
        if (!r.ctx) {
            std::fprintf(stderr, "sse-gateway: %s\n", r.error.c_str());
            return 2;
        }
        tls = std::move(r.ctx);
        tls::log_loaded(r, false);
    }
    try {
        gateway::server srv(cfg, std::move(tls));
        return srv.run();
    } catch (std::exception const& e) {
        log::error("fatal", {{"error", e.what()}});
        return 1;
    }
}

// sse-webhookd: flags -> server -> exit code.
#include "common/log.hpp"
#include "webhookd/config.hpp"
#include "webhookd/server.hpp"

#include <csignal>
#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    using namespace ssegw;
    auto parsed = webhookd::parse_config(argc, argv);
    if (!parsed.cfg) {
        std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
        if (parsed.exit_code != 0) std::fputc('\n', stderr);
        return parsed.exit_code;
    }
    std::signal(SIGPIPE, SIG_IGN);  // a receiver that vanished is an error code, not a signal
    log::set_level(parsed.cfg->log_level);
    log::set_instance(parsed.cfg->instance_id);
    try {
        webhookd::server srv(std::move(*parsed.cfg));
        return srv.run();
    } catch (std::exception const& e) {
        log::error("fatal", {{"error", e.what()}});
        return 1;
    }
}

// The gateway and its descriptor limit (docs/OPERATIONS.md): at start it raises the soft
// RLIMIT_NOFILE to the hard one and logs both, warning when --max-connections does not fit; out of
// descriptors, each waiting connection is answered 503 and closed (counted as `unavailable`) while
// the open ones keep working, and accepting resumes once descriptors are free again. The limit is
// set by running the real binary under prlimit(1).
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/http_client.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ssegw::it {
namespace {

// The first log line whose msg is `msg`, parsed (null if none).
nlohmann::json log_line(service const& s, std::string const& msg) {
    std::istringstream lines(s.log());
    for (std::string line; std::getline(lines, line);) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.is_object() && j.value("msg", "").rfind(msg, 0) == 0) return j;
    }
    return nullptr;
}

int connect_to(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

class fd_limit : public gateway_test {
protected:
    /// The real sse-gateway started with RLIMIT_NOFILE soft:hard.
    std::unique_ptr<service> start_limited(int soft, int hard, std::vector<std::string> args = {}) {
        auto instance = unique("gw-fd");
        auto wrapper = dir_->file("limited-" + instance);
        std::ofstream(wrapper) << "#!/bin/sh\nexec prlimit --nofile=" << soft << ":" << hard << " " << gateway_binary()
                               << " \"$@\"\n";
        ::chmod(wrapper.c_str(), 0755);
        return std::make_unique<service>(wrapper.string(), "sse-gateway", dir_->path(), redis_server_->url(), instance,
                                         std::move(args));
    }
};

TEST_F(fd_limit, the_soft_limit_is_raised_to_the_hard_one_and_logged_with_a_warning_that_does_not_fit) {
    auto gw = start_limited(40, 150, {"--max-connections", "1000"});
    auto limit = log_line(*gw, "descriptor limit");
    ASSERT_TRUE(limit.is_object()) << gw->log();
    EXPECT_EQ(limit["softBefore"], 40);
    EXPECT_EQ(limit["soft"], 150);
    EXPECT_EQ(limit["hard"], 150);
    auto warning = log_line(*gw, "--max-connections exceeds what the descriptor limit allows");
    ASSERT_TRUE(warning.is_object()) << gw->log();
    EXPECT_EQ(warning["level"], "warn");
    EXPECT_EQ(warning["max-connections"], 1000);
    EXPECT_EQ(warning["connectionsPossible"], 150 - 64);

    auto fits = start_limited(150, 150, {"--max-connections", "50"});
    EXPECT_TRUE(log_line(*fits, "descriptor limit").is_object());
    EXPECT_TRUE(log_line(*fits, "--max-connections exceeds").is_null()) << "50 + 64 fit in 150";
}

TEST_F(fd_limit, out_of_descriptors_each_waiting_connection_gets_a_503_and_accepting_resumes) {
    auto gw = start_limited(100, 100, {"--threads", "1"});
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto stream = open_stream(gw->port(), device_path(dev), bearer(key));
    auto first = pub().publish(user, dev, result_json(dev, 1));
    EXPECT_EQ(next_event(*stream).id, first.device_id);

    // More connections than descriptors: the kernel completes every handshake, the gateway
    // accepts what fits and answers the rest.
    std::vector<int> socks;
    for (int i = 0; i < 150; ++i) {
        int fd = connect_to(gw->port());
        ASSERT_GE(fd, 0);
        socks.push_back(fd);
    }
    int refused = 0, held = 0;
    auto d = in(5s);
    std::vector<pollfd> fds;
    for (int fd : socks) fds.push_back({fd, POLLIN, 0});
    // The answers come as fast as the gateway accepts: wait until every socket is answered or held quietly.
    poll_until(d, [&] {
        ::poll(fds.data(), fds.size(), 100);
        int answered = 0;
        for (auto& p : fds)
            if (p.revents) ++answered;
        return answered >= 150 - 100;
    });
    for (auto& p : fds) {
        if (!p.revents) {
            ++held;
            continue;
        }
        char buf[1024];
        auto n = ::recv(p.fd, buf, sizeof buf, 0);
        std::string got(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
        EXPECT_EQ(got.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << got;
        EXPECT_NE(got.find("\"SERVICE_UNAVAILABLE\""), std::string::npos) << got;
        EXPECT_NE(got.find("Retry-After: 1"), std::string::npos) << got;
        ++refused;
    }
    EXPECT_GE(refused, 150 - 100) << "at least the connections beyond the limit were answered";
    EXPECT_GT(held, 0) << "the ones that fit were accepted and wait for their request";

    // The open stream still works while descriptors are out.
    auto ids = pub().publish(user, dev, result_json(dev, 2));
    EXPECT_EQ(next_event(*stream).id, ids.device_id);

    for (int fd : socks) ::close(fd);
    auto metrics = std::string();
    EXPECT_TRUE(poll_until(in(5s), [&] {
        try {
            auto r = http_get(gw->port(), "/metrics", {}, in(1s));
            if (r.status() != 200) return false;
            metrics = r.body;
            return true;
        } catch (std::exception const&) {
            return false;
        }
    })) << "accepting resumes once descriptors are free";
    // A /metrics request that came before the gateway saw the closes was answered 503 too.
    std::string const name = "sse_gateway_connections_rejected_total{reason=\"unavailable\"} ";
    auto at = metrics.find(name);
    ASSERT_NE(at, std::string::npos) << metrics;
    EXPECT_GE(std::stoi(metrics.substr(at + name.size())), refused) << metrics;
    EXPECT_TRUE(log_line(*gw, "out of file descriptors").is_object()) << gw->log_tail();
    EXPECT_TRUE(gw->proc().running());
    if (HasFailure()) ADD_FAILURE() << gw->log_tail();
}

} // namespace
} // namespace ssegw::it

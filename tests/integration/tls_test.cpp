// HTTPS served by the gateway itself: --tls-cert/--tls-key with certificates made by
// the openssl CLI in the test's directory, read by real `curl` and `openssl s_client` processes.
// Streams and /healthz over TLS, the client context of common/tls against it, plain HTTP on the TLS port, old protocol versions refused, the
// certificate reloaded on SIGHUP without dropping open streams (and a broken one not taken), bad flags.
#include "common/tls/client_context.hpp"
#include "tests/support/certs.hpp"
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/nginx.hpp"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <sys/wait.h>

namespace ssegw::it {
namespace {

namespace fs = std::filesystem;

int curl_streams_ = 0;

class tls : public gateway_test {
protected:
    void SetUp() override {
        gateway_test::SetUp();
        ASSERT_FALSE(openssl_bin().empty()) << "openssl is not installed: run scripts/install-deps";
        ASSERT_FALSE(curl_binary().empty()) << "curl is not installed: run scripts/install-deps";
        cert_ = dir_->file("cert.pem");
        key_ = dir_->file("key.pem");
        make_ca(dir_->path(), "ca-one");
        make_server_cert(dir_->path(), "ca-one", "gw-one", "1001", cert_, key_);
    }

    fs::path ca(std::string const& name) const { return dir_->file(name + ".pem"); }

    /// A gateway serving HTTPS with cert.pem/key.pem; waits until /readyz answers 200 over TLS.
    gateway& start_tls_gateway(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--tls-cert", cert_.string(), "--tls-key", key_.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        gateways_.push_back(std::make_unique<gateway>(dir_->path(), redis_server_->url(),
                                                      std::string("gw-") + static_cast<char>('a' + gateways_.size()),
                                                      std::move(args), /*wait_ready=*/false));
        auto& gw = *gateways_.back();
        bool ready = poll_until(in(10s), [&] {
            return !gw.proc().running() || curl({"-o", "/dev/null", "-w", "%{http_code}", url(gw, "/readyz")}).out ==
                                                "200";
        }, 50ms);
        if (!ready || !gw.proc().running())
            throw std::runtime_error("TLS gateway never became ready over HTTPS; log:\n" + gw.log_tail(40));
        return gw;
    }

    static std::string url(gateway& gw, std::string const& path, std::string scheme = "https") {
        return scheme + "://127.0.0.1:" + std::to_string(gw.port()) + path;
    }

    /// curl -sS --cacert CA ARGS… (to completion).
    run_result curl(std::vector<std::string> args, std::string const& ca_name = "ca-one") {
        std::vector<std::string> all = {"-sS", "--max-time", "5", "--cacert", ca(ca_name).string()};
        all.insert(all.end(), args.begin(), args.end());
        return run(dir_->path(), curl_binary(), std::move(all));
    }

    /// curl -sS -N --cacert CA with a Bearer key, stdout read as it streams.
    std::unique_ptr<piped_child> curl_stream(gateway& gw, std::string const& path, std::string const& key) {
        process_options o;
        o.path = curl_binary();
        o.args = {"-sS", "-N", "--cacert", ca("ca-one").string(), "-H", "Authorization: Bearer " + key, url(gw, path)};
        o.stderr_file = dir_->file("curl-stream-" + std::to_string(++curl_streams_) + ".err").string();
        return std::make_unique<piped_child>(std::move(o));
    }

    /// A new user with one device, and that device's stream over HTTPS, open once its `retry:` arrived.
    struct device_stream {
        std::string user, dev;
        std::unique_ptr<piped_child> c;
    };
    device_stream open_device_stream(gateway& gw) {
        device_stream s{unique("u"), unique("d"), nullptr};
        s.c = curl_stream(gw, device_path(s.dev), new_user(s.user, {s.dev}));
        auto& c = *s.c;
        if (!c.read_until(in(5s), [&] { return c.line_starting("retry: 3000").has_value(); }))
            throw std::runtime_error("no retry: over TLS within 5 s: " + c.describe());
        return s;
    }

    /// Publishes a result and waits until `c` printed its data line; the result's JSON.
    std::string publish_and_see(piped_child& c, std::string const& user, std::string const& dev, int n) {
        auto json = result_json(dev, n);
        pub().publish(user, dev, json);
        EXPECT_TRUE(c.read_until(in(5s), [&] { return c.count_starting("data: " + json) == 1; }))
            << "event " << n << " not received over TLS: " << c.describe();
        return json;
    }

    /// The subject line of the certificate the gateway presents to a new connection.
    std::string presented_subject(gateway& gw) {
        auto r = run(dir_->path(), openssl_bin(),
                     {"s_client", "-connect", "127.0.0.1:" + std::to_string(gw.port()), "-showcerts"});
        auto at = r.out.find("subject=");
        return at == std::string::npos ? "(none: " + r.err + ")" : r.out.substr(at, r.out.find('\n', at) - at);
    }

    fs::path cert_, key_;
};

TEST_F(tls, serves_a_stream_and_healthz_over_https) {
    auto& gw = start_tls_gateway();
    auto h = curl({url(gw, "/healthz")});
    EXPECT_TRUE(h.ok()) << h.err;
    EXPECT_EQ(h.out, "ok\n");

    auto [user, dev, c] = open_device_stream(gw);
    for (int i = 1; i <= 3; ++i) publish_and_see(*c, user, dev, i);
    EXPECT_EQ(c->count_starting("event: analysis_result"), 3u) << c->describe();
    EXPECT_NE(gw.log().find("\"subject\":\"CN=gw-one\""), std::string::npos) << gw.log_tail();
    EXPECT_NE(gw.log().find("\"msg\":\"tls certificate loaded\""), std::string::npos) << gw.log_tail();
    EXPECT_EQ(gw.log().find("PRIVATE KEY"), std::string::npos);  // never key material
}

/// A TLS client handshake with common/tls's client context against `port`, expecting the certificate
/// to carry `host`; on success, GET /healthz over it. Returns the body, or "handshake: <error>".
std::string client_healthz(std::string const& ca_file, std::string const& host, unsigned short port) {
    auto made = ssegw::tls::make_client_context(ca_file);
    if (!made.ctx) return "context: " + made.error;
    net::io_context ioc;
    ssegw::tls::stream s(beast::tcp_stream(ioc), *made.ctx);
    if (!ssegw::tls::expect_host(s, host)) return "expect_host refused";
    beast::get_lowest_layer(s).expires_after(5s);
    error_code ec;
    beast::get_lowest_layer(s).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    if (!ec) s.handshake(ssegw::tls::ssl::stream_base::client, ec);
    if (ec) return "handshake: " + ec.message();
    http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
    req.set(http::field::host, host);
    http::write(s, req, ec);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    if (!ec) http::read(s, buf, res, ec);
    return ec ? "exchange: " + ec.message() : res.body();
}

TEST_F(tls, the_client_context_verifies_the_chain_and_the_host) {
    auto& gw = start_tls_gateway();
    make_ca(dir_->path(), "ca-two");
    // The certificate names IP:127.0.0.1 and is signed by ca-one.
    EXPECT_EQ(client_healthz(ca("ca-one").string(), "127.0.0.1", gw.port()), "ok\n");
    auto wrong_host = client_healthz(ca("ca-one").string(), "localhost", gw.port());
    EXPECT_NE(wrong_host.find("handshake: certificate verify failed"), std::string::npos) << wrong_host;
    auto wrong_ca = client_healthz(ca("ca-two").string(), "127.0.0.1", gw.port());
    EXPECT_NE(wrong_ca.find("handshake: certificate verify failed"), std::string::npos) << wrong_ca;
    auto no_file = client_healthz(dir_->file("missing.pem").string(), "127.0.0.1", gw.port());
    EXPECT_EQ(no_file.rfind("context: CA file " + dir_->file("missing.pem").string(), 0), 0u) << no_file;
}

TEST_F(tls, drain_ends_a_tls_stream_cleanly) {
    auto& gw = start_tls_gateway();
    auto [user, dev, c] = open_device_stream(gw);
    publish_and_see(*c, user, dev, 1);
    gw.terminate();
    // The last chunk, then close_notify: curl sees a complete response and exits 0.
    ASSERT_TRUE(c->wait_eof(in(8s))) << c->describe();
    auto st = c->proc().wait_until(in(3s));
    ASSERT_TRUE(st);
    EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << c->describe();
    auto exit = gw.proc().wait_until(in(8s));
    ASSERT_TRUE(exit) << gw.log_tail();
    EXPECT_TRUE(WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0) << describe_status(exit);
}

TEST_F(tls, plain_http_to_the_tls_port_is_refused_cleanly) {
    auto& gw = start_tls_gateway();
    auto r = run(dir_->path(), curl_binary(),
                 {"-sS", "--max-time", "5", "-o", "-", "-w", "\n%{http_code}", url(gw, "/healthz", "http")});
    EXPECT_NE(r.out.find("\n400"), std::string::npos) << r.out << r.err;
    EXPECT_NE(r.out.find("this port speaks HTTPS"), std::string::npos) << r.out;
    // Still serving TLS, and the refusal was counted.
    auto m = curl({url(gw, "/metrics")});
    ASSERT_TRUE(m.ok()) << m.err;
    EXPECT_GE(metric_value(m.out, "sse_gateway_connections_rejected_total{reason=\"bad_request\"}").value_or(0), 1.0)
        << m.out;
}

TEST_F(tls, tls_1_1_and_weak_ciphers_are_refused_tls_1_2_and_1_3_served) {
    auto& gw = start_tls_gateway({"--log-level", "debug"});
    auto connect = "127.0.0.1:" + std::to_string(gw.port());
    // SECLEVEL=0 lets this client really offer TLS 1.1 (OpenSSL 3 refuses to on its own): the server says no.
    auto old = run(dir_->path(), openssl_bin(),
                   {"s_client", "-connect", connect, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"});
    EXPECT_FALSE(old.ok()) << old.out;
    EXPECT_NE((old.out + old.err).find("alert protocol version"), std::string::npos) << old.out << old.err;
    EXPECT_TRUE(poll_until(in(3s), [&] { return gw.log().find("unsupported protocol") != std::string::npos; }))
        << gw.log_tail();

    auto cbc = run(dir_->path(), openssl_bin(),
                   {"s_client", "-connect", connect, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256"});
    EXPECT_FALSE(cbc.ok()) << cbc.out;
    EXPECT_NE((cbc.out + cbc.err).find("handshake failure"), std::string::npos) << cbc.out << cbc.err;

    auto v12 = run(dir_->path(), openssl_bin(),
                   {"s_client", "-connect", connect, "-tls1_2", "-CAfile", ca("ca-one").string()});
    EXPECT_NE(v12.out.find("Protocol  : TLSv1.2"), std::string::npos) << v12.out << v12.err;
    EXPECT_NE(v12.out.find("Cipher    : ECDHE-ECDSA-AES"), std::string::npos) << v12.out;
    auto v13 = curl({"--tlsv1.3", "-o", "/dev/null", "-w", "%{http_code}", url(gw, "/healthz")});
    EXPECT_EQ(v13.out, "200") << v13.err;
    EXPECT_NE(gw.log().find("tls handshake failed"), std::string::npos);
}

TEST_F(tls, sighup_reloads_the_certificate_without_dropping_streams) {
    auto& gw = start_tls_gateway();
    EXPECT_NE(presented_subject(gw).find("CN = gw-one"), std::string::npos) << presented_subject(gw);
    auto [user, dev, c] = open_device_stream(gw);
    publish_and_see(*c, user, dev, 1);

    // A new certificate from another CA, with another subject and serial, in place of the files.
    make_ca(dir_->path(), "ca-two");
    make_server_cert(dir_->path(), "ca-two", "gw-two", "2002", dir_->file("new-cert.pem"), dir_->file("new-key.pem"));
    fs::rename(dir_->file("new-cert.pem"), cert_);
    fs::rename(dir_->file("new-key.pem"), key_);
    gw.proc().signal(SIGHUP);
    ASSERT_TRUE(poll_until(in(5s), [&] { return gw.log().find("\"msg\":\"tls certificate reloaded\"") != std::string::npos; }))
        << gw.log_tail();
    auto log = gw.log();
    EXPECT_NE(log.rfind("\"subject\":\"CN=gw-two\""), std::string::npos) << log;
    EXPECT_NE(log.find("\"serial\":\"07D2\""), std::string::npos) << log;  // 2002
    EXPECT_NE(log.find("\"not_after\":"), std::string::npos) << log;

    // (a) the open stream keeps its connection and its events.
    publish_and_see(*c, user, dev, 2);
    EXPECT_FALSE(c->eof()) << c->describe();
    // (b) new connections get the new certificate: trusted by the new CA only.
    EXPECT_NE(presented_subject(gw).find("CN = gw-two"), std::string::npos) << presented_subject(gw);
    auto by_new = curl({url(gw, "/healthz")}, "ca-two");
    EXPECT_TRUE(by_new.ok() && by_new.out == "ok\n") << by_new.err;
    auto by_old = curl({url(gw, "/healthz")}, "ca-one");
    EXPECT_EQ(by_old.exit_code(), 60) << "the old CA still verifies: " << by_old.out << by_old.err;

    // (c) a broken file: an error logged, the process and the current certificate stay.
    write_file(cert_, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    gw.proc().signal(SIGHUP);
    ASSERT_TRUE(poll_until(in(5s), [&] { return gw.log().find("tls certificate reload failed") != std::string::npos; }))
        << gw.log_tail();
    auto all = gw.log();
    auto at = all.find("tls certificate reload failed");
    auto begin = all.rfind('\n', at);
    auto fail_line = all.substr(begin == std::string::npos ? 0 : begin + 1);
    fail_line = fail_line.substr(0, fail_line.find('\n'));
    EXPECT_NE(fail_line.find("\"level\":\"error\""), std::string::npos) << fail_line;
    EXPECT_NE(fail_line.find(cert_.string()), std::string::npos) << "the error names the file: " << fail_line;
    EXPECT_TRUE(gw.proc().running());
    auto still = curl({url(gw, "/healthz")}, "ca-two");
    EXPECT_TRUE(still.ok() && still.out == "ok\n") << still.err;
    EXPECT_NE(presented_subject(gw).find("CN = gw-two"), std::string::npos);
    publish_and_see(*c, user, dev, 3);
    EXPECT_EQ(c->count_starting("event: analysis_result"), 3u) << c->describe();
}

TEST_F(tls, bad_tls_flags_exit_2_naming_the_problem) {
    auto gw = gateway_binary();
    auto redis = redis_server_->url();
    auto expect_exit_2 = [&](std::vector<std::string> args, std::string const& says,
                             std::vector<std::pair<std::string, std::string>> env = {}) {
        std::vector<std::string> all = {"--listen", "127.0.0.1:0", "--redis", redis};
        all.insert(all.end(), args.begin(), args.end());
        auto r = run(dir_->path(), gw, all, std::move(env), 5s);
        EXPECT_EQ(r.exit_code(), 2) << describe_status(r.status) << r.err;
        EXPECT_NE(r.err.find(says), std::string::npos) << "stderr should say '" << says << "': " << r.err;
    };
    expect_exit_2({"--tls-cert", cert_.string()}, "--tls-cert and --tls-key go together");
    expect_exit_2({"--tls-key", key_.string()}, "--tls-cert and --tls-key go together");
    expect_exit_2({}, "go together", {{"SSE_GATEWAY_TLS_CERT", cert_.string()}});
    expect_exit_2({"--tls-cert", dir_->file("missing.pem").string(), "--tls-key", key_.string()},
                  dir_->file("missing.pem").string());
    write_file(dir_->file("garbage.pem"), "not a certificate\n");
    expect_exit_2({"--tls-cert", dir_->file("garbage.pem").string(), "--tls-key", key_.string()},
                  dir_->file("garbage.pem").string());
    expect_exit_2({"--tls-cert", cert_.string(), "--tls-key", dir_->file("garbage.pem").string()},
                  dir_->file("garbage.pem").string());
    make_server_cert(dir_->path(), "ca-one", "other", "3003", dir_->file("other-cert.pem"), dir_->file("other-key.pem"));
    expect_exit_2({"--tls-cert", cert_.string(), "--tls-key", dir_->file("other-key.pem").string()}, "does not match");
    // Both from the environment: it serves.
    gateways_.push_back(std::make_unique<gateway>(
        dir_->path(), redis, "gw-env", std::vector<std::string>{}, /*wait_ready=*/false,
        std::vector<std::pair<std::string, std::string>>{{"SSE_GATEWAY_TLS_CERT", cert_.string()},
                                                         {"SSE_GATEWAY_TLS_KEY", key_.string()}}));
    auto& env_gw = *gateways_.back();
    EXPECT_TRUE(poll_until(in(5s), [&] { return curl({url(env_gw, "/healthz")}).out == "ok\n"; }, 50ms))
        << env_gw.log_tail();
}

} // namespace
} // namespace ssegw::it

#include "common/tls/client_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace ssegw::tls {

client_result make_client_context(std::string const& ca_file) {
    client_result r;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX* h = ctx->native_handle();
    SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION);
    SSL_CTX_set_options(h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    error_code ec;
    if (ca_file.empty()) ctx->set_default_verify_paths(ec);
    else ctx->load_verify_file(ca_file, ec);
    if (ec) {
        r.error = (ca_file.empty() ? std::string("system CA paths") : "CA file " + ca_file) + ": " + ec.message();
        return r;
    }
    ctx->set_verify_mode(ssl::verify_peer);
    r.ctx = std::move(ctx);
    return r;
}

bool expect_host(stream& s, std::string const& host) {
    SSL* h = s.native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(h);
    error_code ec;
    net::ip::make_address(host, ec);
    if (!ec) return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;  // an IP literal: no SNI
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1 &&
           SSL_set_tlsext_host_name(h, host.c_str()) == 1;
}

} // namespace ssegw::tls

#include "common/tls/server_context.hpp"

#include "common/log.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ssegw::tls {
namespace {

// TLS 1.2: forward secrecy and AEAD only. TLS 1.3 keeps OpenSSL's defaults (all AEAD).
constexpr char const* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/// OpenSSL's queued errors as one line (and the queue emptied).
std::string openssl_errors() {
    std::string out;
    char buf[256];
    while (unsigned long e = ERR_get_error()) {
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out.empty() ? "unknown error" : out;
}

std::string bio_text(BIO* b) {
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

/// ALPN: http/1.1 when the client offers it; otherwise no ALPN (the handshake goes on).
int select_alpn(SSL*, unsigned char const** out, unsigned char* outlen, unsigned char const* in, unsigned inlen,
                void*) {
    static unsigned char const ours[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, outlen, ours, sizeof ours, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

/// "" if the file can be opened for reading, else why not.
std::string unreadable(std::string const& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return std::strerror(errno);
    std::fclose(f);
    return {};
}

} // namespace

load_result load_server_context(std::string const& cert_file, std::string const& key_file) {
    load_result r;
    ERR_clear_error();
    if (auto why = unreadable(cert_file); !why.empty()) {
        r.error = "--tls-cert " + cert_file + ": cannot read: " + why;
        return r;
    }
    if (auto why = unreadable(key_file); !why.empty()) {
        r.error = "--tls-key " + key_file + ": cannot read: " + why;
        return r;
    }
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* h = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION) != 1 || SSL_CTX_set_cipher_list(h, tls12_ciphers) != 1) {
        r.error = "TLS context setup failed: " + openssl_errors();
        return r;
    }
    SSL_CTX_set_options(h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // OpenSSL's record buffers are freed while a connection is idle: most streams are, most of the time.
    SSL_CTX_set_mode(h, SSL_MODE_RELEASE_BUFFERS);
    // Session ids are cached per context: name it, so a resumption against a reloaded one is a full
    // handshake instead of an error.
    static unsigned char const sid_ctx[] = "sse-gateway";
    SSL_CTX_set_session_id_context(h, sid_ctx, sizeof sid_ctx - 1);
    SSL_CTX_set_alpn_select_cb(h, select_alpn, nullptr);
    if (SSL_CTX_use_certificate_chain_file(h, cert_file.c_str()) != 1) {
        r.error = "--tls-cert " + cert_file + ": not a PEM certificate chain (" + openssl_errors() + ")";
        return r;
    }
    if (SSL_CTX_use_PrivateKey_file(h, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        // OpenSSL checks the key against the certificate as it loads it.
        unsigned long e = ERR_peek_error();
        bool mismatch = ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH;
        r.error = "--tls-key " + key_file +
                  (mismatch ? " does not match the certificate in --tls-cert " + cert_file : ": not a PEM private key") +
                  " (" + openssl_errors() + ")";
        return r;
    }
    if (SSL_CTX_check_private_key(h) != 1) {
        r.error = "--tls-key " + key_file + " does not match the certificate in --tls-cert " + cert_file + " (" +
                  openssl_errors() + ")";
        return r;
    }
    if (X509* leaf = SSL_CTX_get0_certificate(h)) {
        BIO* b = BIO_new(BIO_s_mem());
        if (b) {
            X509_NAME_print_ex(b, X509_get_subject_name(leaf), 0, XN_FLAG_RFC2253);
            r.subject = bio_text(b);
            (void)BIO_reset(b);
            ASN1_TIME_print(b, X509_get0_notAfter(leaf));
            r.not_after = bio_text(b);
            (void)BIO_reset(b);
            i2a_ASN1_INTEGER(b, X509_get0_serialNumber(leaf));
            r.serial = bio_text(b);
            BIO_free(b);
        }
    }
    ERR_clear_error();
    r.ctx = std::move(ctx);
    return r;
}

void log_loaded(load_result const& r, bool reload) {
    log::info(reload ? "tls certificate reloaded" : "tls certificate loaded",
              {{"subject", r.subject}, {"not_after", r.not_after}, {"serial", r.serial}});
}

} // namespace ssegw::tls

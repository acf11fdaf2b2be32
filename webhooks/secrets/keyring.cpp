#include "webhooks/secrets/keyring.hpp"

#include "common/base64.hpp"
#include "common/sha256.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <stdexcept>

namespace ssegw::webhooks {
namespace {

constexpr std::size_t nonce_size = 12, tag_size = 16;
constexpr std::string_view version_prefix = "v1.";

struct ctx_free {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, ctx_free>;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string additional_data(std::string_view user_id) { return "webhook:" + std::string(user_id); }

} // namespace

std::optional<keyring> keyring::from_lines(std::vector<std::string> const& lines, std::string& error) {
    keyring ring;
    for (std::size_t n = 0; n < lines.size(); ++n) {
        std::string_view line = lines[n];
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        if (line.empty()) continue;
        if (line.size() != 64) {
            error = "line " + std::to_string(n + 1) + " is not 64 hex digits";
            return std::nullopt;
        }
        key k;
        for (std::size_t i = 0; i < 32; ++i) {
            int hi = hex_value(line[2 * i]), lo = hex_value(line[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                error = "line " + std::to_string(n + 1) + " is not 64 hex digits";
                return std::nullopt;
            }
            k.bytes[i] = static_cast<unsigned char>(hi * 16 + lo);
        }
        k.id = sha256_hex(std::string_view(reinterpret_cast<char const*>(k.bytes.data()), k.bytes.size())).substr(0, 8);
        ring.keys_.push_back(k);
    }
    if (ring.keys_.empty()) {
        error = "holds no key (one line of 64 hex digits per key, e.g. from `openssl rand -hex 32`)";
        return std::nullopt;
    }
    return ring;
}

std::optional<keyring> keyring::load(std::string const& path, std::string& error) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
        error = "webhook secret key file '" + path + "' cannot be read";
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
        error = "webhook secret key file '" + path + "' is not a regular file";
        return std::nullopt;
    }
    // The keys open every user's webhook secret: nobody but the owner may read or change them.
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        error = "webhook secret key file '" + path + "' is accessible by group or others (chmod 600 it)";
        return std::nullopt;
    }
    std::ifstream in(path);
    if (!in) {
        error = "webhook secret key file '" + path + "' cannot be read";
        return std::nullopt;
    }
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string why;
    auto ring = from_lines(lines, why);
    if (!ring) error = "webhook secret key file '" + path + "' " + why;
    return ring;
}

std::string keyring::seal(std::string_view plain, std::string_view user_id) const {
    auto const& k = keys_.front();
    unsigned char nonce[nonce_size];
    if (RAND_bytes(nonce, nonce_size) != 1) throw std::runtime_error("RAND_bytes failed");
    std::string raw(nonce_size + plain.size() + tag_size, '\0');
    std::copy(nonce, nonce + nonce_size, raw.begin());
    auto* out = reinterpret_cast<unsigned char*>(raw.data()) + nonce_size;
    auto aad = additional_data(user_id);
    cipher_ctx ctx(EVP_CIPHER_CTX_new());
    int len = 0, total = 0;
    bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k.bytes.data(), nonce) == 1 &&
              EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<unsigned char const*>(aad.data()),
                                static_cast<int>(aad.size())) == 1 &&
              EVP_EncryptUpdate(ctx.get(), out, &len, reinterpret_cast<unsigned char const*>(plain.data()),
                                static_cast<int>(plain.size())) == 1;
    total = len;
    ok = ok && EVP_EncryptFinal_ex(ctx.get(), out + total, &len) == 1;
    total += len;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size, out + total) == 1;
    if (!ok || static_cast<std::size_t>(total) != plain.size()) throw std::runtime_error("AES-256-GCM sealing failed");
    return std::string(version_prefix) + k.id + "." + base64::encode(raw);
}

std::optional<std::string> keyring::open(std::string_view sealed, std::string_view user_id) const {
    if (sealed.substr(0, version_prefix.size()) != version_prefix) return std::nullopt;
    sealed.remove_prefix(version_prefix.size());
    auto dot = sealed.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    auto id = sealed.substr(0, dot);
    key const* k = nullptr;
    for (auto const& candidate : keys_)
        if (candidate.id == id) k = &candidate;
    auto raw = base64::decode(sealed.substr(dot + 1));
    if (!k || !raw || raw->size() < nonce_size + tag_size) return std::nullopt;
    auto const* bytes = reinterpret_cast<unsigned char const*>(raw->data());
    std::size_t text_size = raw->size() - nonce_size - tag_size;
    std::string plain(text_size, '\0');
    auto aad = additional_data(user_id);
    std::array<unsigned char, tag_size> tag;
    std::copy(bytes + nonce_size + text_size, bytes + raw->size(), tag.begin());
    cipher_ctx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k->bytes.data(), bytes) == 1 &&
              EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<unsigned char const*>(aad.data()),
                                static_cast<int>(aad.size())) == 1 &&
              EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, bytes + nonce_size,
                                static_cast<int>(text_size)) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_size, tag.data()) == 1;
    int final_len = 0;
    ok = ok && EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &final_len) == 1;
    if (!ok) return std::nullopt;
    return plain;
}

} // namespace ssegw::webhooks

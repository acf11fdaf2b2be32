// webhooks/secrets/keyring: webhook secrets at rest (docs/WEBHOOKS.md, "The secret") — AES-256-GCM in the form
// `v1.<keyId>.<base64(nonce ‖ ciphertext ‖ tag)>`, keyId from SHA-256 of the raw key, the owner's
// `webhook:<userId>` as additional data, rotation by a new first line, and the key file checks.
#include "webhooks/secrets/keyring.hpp"

#include "common/base64.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace wh = ssegw::webhooks;

namespace {

// 32 zero bytes: SHA-256 = 66687aad…; 32 bytes of 0x01: SHA-256 = 72cd6e84…
std::string const key_a(64, '0');
std::string const key_b = [] {
    std::string s;
    for (int i = 0; i < 32; ++i) s += "01";
    return s;
}();
std::string const key_c = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";  // 630dcd29…

wh::keyring ring(std::vector<std::string> const& lines) {
    std::string error;
    auto r = wh::keyring::from_lines(lines, error);
    EXPECT_TRUE(r) << error;
    return r ? *r : *wh::keyring::from_lines({key_a}, error);
}

struct sealed_parts {
    std::string version, key_id, raw;
};

sealed_parts split(std::string const& sealed) {
    auto d1 = sealed.find('.');
    auto d2 = sealed.find('.', d1 + 1);
    EXPECT_NE(d2, std::string::npos) << sealed;
    auto raw = ssegw::base64::decode(sealed.substr(d2 + 1));
    EXPECT_TRUE(raw) << sealed;
    return {sealed.substr(0, d1), sealed.substr(d1 + 1, d2 - d1 - 1), raw.value_or("")};
}

struct ctx_free {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

std::string raw_key(std::string const& hex) {
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

// AES-256-GCM straight from OpenSSL, for a seal made outside the class under test.
std::string gcm(bool encrypt, std::string const& key, std::string const& nonce, std::string const& aad,
                std::string const& text, std::string& tag) {
    std::unique_ptr<EVP_CIPHER_CTX, ctx_free> ctx(EVP_CIPHER_CTX_new());
    auto const* k = reinterpret_cast<unsigned char const*>(key.data());
    auto const* n = reinterpret_cast<unsigned char const*>(nonce.data());
    std::string out(text.size(), '\0');
    int len = 0;
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    auto const* in = reinterpret_cast<unsigned char const*>(text.data());
    auto const* a = reinterpret_cast<unsigned char const*>(aad.data());
    bool ok;
    if (encrypt) {
        ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k, n) == 1 &&
             EVP_EncryptUpdate(ctx.get(), nullptr, &len, a, static_cast<int>(aad.size())) == 1 &&
             EVP_EncryptUpdate(ctx.get(), o, &len, in, static_cast<int>(text.size())) == 1 &&
             EVP_EncryptFinal_ex(ctx.get(), o + len, &len) == 1;
        tag.assign(16, '\0');
        ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data()) == 1;
    } else {
        ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k, n) == 1 &&
             EVP_DecryptUpdate(ctx.get(), nullptr, &len, a, static_cast<int>(aad.size())) == 1 &&
             EVP_DecryptUpdate(ctx.get(), o, &len, in, static_cast<int>(text.size())) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()) == 1 &&
             EVP_DecryptFinal_ex(ctx.get(), o + len, &len) == 1;
    }
    EXPECT_TRUE(ok);
    return ok ? out : std::string("(failed)");
}

// A key file made with mkstemp, removed at the end of the test.
class key_file {
public:
    key_file(std::string const& content, mode_t mode) {
        char name[] = "/tmp/ssegw-keyring-XXXXXX";
        int fd = mkstemp(name);
        EXPECT_GE(fd, 0);
        path_ = name;
        if (fd >= 0) {
            EXPECT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
            close(fd);
        }
        EXPECT_EQ(chmod(path_.c_str(), mode), 0);
    }
    ~key_file() { unlink(path_.c_str()); }
    key_file(key_file const&) = delete;
    key_file& operator=(key_file const&) = delete;
    std::string const& path() const { return path_; }

private:
    std::string path_;
};

} // namespace

TEST(keyring, key_id_is_sha256_of_the_raw_32_bytes) {
    EXPECT_EQ(ring({key_a}).sealing_key_id(), "66687aad");
    EXPECT_EQ(ring({key_b}).sealing_key_id(), "72cd6e84");
    EXPECT_EQ(ring({key_c}).sealing_key_id(), "630dcd29");  // not 6c86c6aa, the hash of the hex line
    std::string upper = key_c;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_EQ(ring({upper}).sealing_key_id(), "630dcd29");
}

TEST(keyring, seal_form_and_round_trip) {
    auto r = ring({key_c});
    auto sealed = r.seal("0123456789abcdef0123", "user-1");
    EXPECT_EQ(sealed.substr(0, 12), "v1.630dcd29.");
    auto parts = split(sealed);
    EXPECT_EQ(parts.version, "v1");
    EXPECT_EQ(parts.key_id, "630dcd29");
    EXPECT_EQ(parts.raw.size(), 12u + 20u + 16u);  // nonce, ciphertext, tag
    EXPECT_EQ(parts.raw.find("0123456789abcdef0123"), std::string::npos);  // not in the clear
    EXPECT_EQ(r.open(sealed, "user-1"), "0123456789abcdef0123");
    // Lengths from empty to the longest secret.
    for (std::size_t n : {0u, 1u, 16u, 64u, 128u, 1000u}) {
        std::string plain(n, 'x');
        EXPECT_EQ(r.open(r.seal(plain, "u"), "u"), plain) << n;
    }
}

TEST(keyring, the_layout_is_nonce_ciphertext_tag_with_the_owner_as_additional_data) {
    auto r = ring({key_c});
    auto parts = split(r.seal("my-webhook-secret-1", "user-42"));
    auto nonce = parts.raw.substr(0, 12), ciphertext = parts.raw.substr(12, parts.raw.size() - 28),
         tag = parts.raw.substr(parts.raw.size() - 16);
    EXPECT_EQ(gcm(false, raw_key(key_c), nonce, "webhook:user-42", ciphertext, tag), "my-webhook-secret-1");
    // And a seal made by OpenSSL directly opens.
    std::string my_nonce = "0123456789ab", my_tag;
    auto ct = gcm(true, raw_key(key_c), my_nonce, "webhook:user-7", "another-secret-value", my_tag);
    auto sealed = "v1.630dcd29." + ssegw::base64::encode(my_nonce + ct + my_tag);
    EXPECT_EQ(r.open(sealed, "user-7"), "another-secret-value");
    EXPECT_EQ(r.open(sealed, "user-8"), std::nullopt);
}

TEST(keyring, a_fresh_nonce_each_time) {
    auto r = ring({key_a});
    std::set<std::string> seals, nonces;
    for (int i = 0; i < 100; ++i) {
        auto s = r.seal("same secret value", "user-1");
        seals.insert(s);
        nonces.insert(split(s).raw.substr(0, 12));
        EXPECT_EQ(r.open(s, "user-1"), "same secret value");
    }
    EXPECT_EQ(seals.size(), 100u);
    EXPECT_EQ(nonces.size(), 100u);
}

TEST(keyring, another_users_id_does_not_open) {
    auto r = ring({key_a});
    auto sealed = r.seal("0123456789abcdef", "user-1");
    EXPECT_EQ(r.open(sealed, "user-2"), std::nullopt);
    EXPECT_EQ(r.open(sealed, ""), std::nullopt);
    EXPECT_EQ(r.open(sealed, "user-1 "), std::nullopt);
    EXPECT_EQ(r.open(sealed, "user-1"), "0123456789abcdef");
}

TEST(keyring, tampering_is_detected) {
    auto r = ring({key_a});
    auto sealed = r.seal("0123456789abcdef", "user-1");
    auto parts = split(sealed);
    auto prefix = sealed.substr(0, sealed.rfind('.') + 1);
    // Flip one bit in each of nonce, ciphertext and tag.
    for (std::size_t at : std::vector<std::size_t>{0, 11, 12, 20, parts.raw.size() - 16, parts.raw.size() - 1}) {
        auto raw = parts.raw;
        raw[at] = static_cast<char>(raw[at] ^ 0x01);
        EXPECT_EQ(r.open(prefix + ssegw::base64::encode(raw), "user-1"), std::nullopt) << at;
    }
    // Truncated, extended, or no room for nonce and tag.
    EXPECT_EQ(r.open(prefix + ssegw::base64::encode(parts.raw.substr(0, parts.raw.size() - 1)), "user-1"), std::nullopt);
    EXPECT_EQ(r.open(prefix + ssegw::base64::encode(parts.raw + "x"), "user-1"), std::nullopt);
    EXPECT_EQ(r.open(prefix + ssegw::base64::encode(parts.raw.substr(0, 27)), "user-1"), std::nullopt);
    EXPECT_EQ(r.open(prefix, "user-1"), std::nullopt);
}

TEST(keyring, malformed_seals_do_not_open) {
    auto r = ring({key_a});
    auto sealed = r.seal("0123456789abcdef", "u");
    auto body = sealed.substr(sealed.rfind('.') + 1);
    for (auto const& bad : std::vector<std::string>{
             "", "v1", "v1.", "v1.66687aad", "v2.66687aad." + body, "V1.66687aad." + body, "66687aad." + body,
             "v1.66687aae." + body, "v1.66687AAD." + body, "v1." + body, "v1.66687aad." + body.substr(1),
             "v1.66687aad." + body + "=", "v1.66687aad.!" + body.substr(1), "0123456789abcdef"})
        EXPECT_EQ(r.open(bad, "u"), std::nullopt) << bad;
}

TEST(keyring, rotation_new_first_line_seals_old_lines_open) {
    auto a = ring({key_a});
    auto under_a = a.seal("old-key-secret-0000", "user-1");
    auto ba = ring({key_b, "", key_a});
    EXPECT_EQ(ba.size(), 2u);
    EXPECT_EQ(ba.sealing_key_id(), "72cd6e84");
    EXPECT_EQ(ba.open(under_a, "user-1"), "old-key-secret-0000");
    auto under_b = ba.seal("new-key-secret-0000", "user-1");
    EXPECT_EQ(split(under_b).key_id, "72cd6e84");
    EXPECT_EQ(ba.open(under_b, "user-1"), "new-key-secret-0000");
    EXPECT_EQ(a.open(under_b, "user-1"), std::nullopt);  // the old ring does not know B
    auto b_only = ring({key_b});
    EXPECT_EQ(b_only.open(under_a, "user-1"), std::nullopt);
    EXPECT_EQ(b_only.open(under_b, "user-1"), "new-key-secret-0000");
    // A key id naming A with a ciphertext from another key does not open under A.
    auto forged = "v1.66687aad." + under_b.substr(under_b.rfind('.') + 1);
    EXPECT_EQ(ba.open(forged, "user-1"), std::nullopt);
}

TEST(keyring, from_lines_checks) {
    std::string error;
    EXPECT_FALSE(wh::keyring::from_lines({}, error));
    EXPECT_NE(error.find("no key"), std::string::npos) << error;
    error.clear();
    EXPECT_FALSE(wh::keyring::from_lines({"", "  ", "\r"}, error));
    EXPECT_NE(error.find("no key"), std::string::npos) << error;
    for (auto const& bad : std::vector<std::string>{key_a.substr(1), key_a + "0", "g" + key_a.substr(1),
                                                    key_a.substr(0, 32) + " " + key_a.substr(33), "0x" + key_a.substr(2),
                                                    "# a comment"}) {
        error.clear();
        EXPECT_FALSE(wh::keyring::from_lines({key_b, bad}, error)) << bad;
        EXPECT_NE(error.find("line 2"), std::string::npos) << error;
    }
    // Surrounding blanks and CR are tolerated.
    error.clear();
    auto r = wh::keyring::from_lines({"  " + key_a + "\r", "\t" + key_b + " "}, error);
    ASSERT_TRUE(r) << error;
    EXPECT_EQ(r->size(), 2u);
    EXPECT_EQ(r->sealing_key_id(), "66687aad");
}

TEST(keyring_load, a_private_file_loads) {
    key_file f(key_b + "\n" + key_a + "\n", 0600);
    std::string error;
    auto r = wh::keyring::load(f.path(), error);
    ASSERT_TRUE(r) << error;
    EXPECT_EQ(r->size(), 2u);
    EXPECT_EQ(r->sealing_key_id(), "72cd6e84");
    key_file crlf("\r\n" + key_a + "\r\n\r\n", 0400);
    auto c = wh::keyring::load(crlf.path(), error);
    ASSERT_TRUE(c) << error;
    EXPECT_EQ(c->sealing_key_id(), "66687aad");
    key_file no_newline(key_a, 0600);
    EXPECT_TRUE(wh::keyring::load(no_newline.path(), error)) << error;
}

TEST(keyring_load, a_missing_file_is_named) {
    std::string error;
    EXPECT_FALSE(wh::keyring::load("/nonexistent/ssegw/keys", error));
    EXPECT_NE(error.find("'/nonexistent/ssegw/keys'"), std::string::npos) << error;
}

TEST(keyring_load, group_or_other_permission_bits_are_refused) {
    for (mode_t mode : std::vector<mode_t>{0640, 0604, 0620, 0602, 0610, 0601, 0644, 0666}) {
        key_file f(key_a + "\n", mode);
        std::string error;
        EXPECT_FALSE(wh::keyring::load(f.path(), error)) << std::oct << mode;
        EXPECT_NE(error.find("'" + f.path() + "'"), std::string::npos) << error;
        EXPECT_NE(error.find("group or others"), std::string::npos) << error;
    }
}

TEST(keyring_load, malformed_and_empty_files_are_refused) {
    std::string error;
    key_file bad(key_a + "\nnot a key\n", 0600);
    EXPECT_FALSE(wh::keyring::load(bad.path(), error));
    EXPECT_NE(error.find("'" + bad.path() + "'"), std::string::npos) << error;
    EXPECT_NE(error.find("line 2"), std::string::npos) << error;
    error.clear();
    key_file empty("", 0600);
    EXPECT_FALSE(wh::keyring::load(empty.path(), error));
    EXPECT_NE(error.find("'" + empty.path() + "'"), std::string::npos) << error;
    EXPECT_NE(error.find("no key"), std::string::npos) << error;
    error.clear();
    key_file blank("\n\n  \n", 0600);
    EXPECT_FALSE(wh::keyring::load(blank.path(), error));
    EXPECT_NE(error.find("no key"), std::string::npos) << error;
}

TEST(keyring_load, a_directory_is_refused) {
    char dir[] = "/tmp/ssegw-keydir-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    EXPECT_EQ(chmod(dir, 0700), 0);
    std::string error;
    EXPECT_FALSE(wh::keyring::load(dir, error));
    EXPECT_NE(error.find(dir), std::string::npos) << error;
    rmdir(dir);
}

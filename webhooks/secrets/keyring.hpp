// The AES-256 keys that protect webhook secrets at rest, from the key file: each line 64 hex
// digits; the first line seals, every line opens, so keys rotate by adding a new first line.
// A sealed secret reads `v1.<keyId>.<base64(nonce ‖ ciphertext ‖ tag)>` (AES-256-GCM, a random
// 12-byte nonce each time, the owner's `webhook:<userId>` as additional data, so a ciphertext
// copied to another user does not open).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssegw::webhooks {

class keyring {
public:
    /// Reads and checks the key file: the error names the file and says what is wrong (missing,
    /// readable by group or others, a malformed line, no key).
    static std::optional<keyring> load(std::string const& path, std::string& error);
    /// From hex lines directly (tests).
    static std::optional<keyring> from_lines(std::vector<std::string> const& hex_lines, std::string& error);

    std::string seal(std::string_view plain, std::string_view user_id) const;
    /// nullopt when the form is wrong, the key is not in this ring, or the tag does not verify.
    std::optional<std::string> open(std::string_view sealed, std::string_view user_id) const;

    /// First 8 hex digits of SHA-256 of the sealing key's 32 bytes.
    std::string const& sealing_key_id() const { return keys_.front().id; }
    std::size_t size() const { return keys_.size(); }

private:
    struct key {
        std::array<unsigned char, 32> bytes;
        std::string id;
    };
    std::vector<key> keys_;
};

} // namespace ssegw::webhooks

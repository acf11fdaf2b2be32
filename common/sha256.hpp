// SHA-256 as lowercase hex: how API keys are named in Redis (`apikey:<sha256-hex>`) and revoked.
#pragma once

#include <string>
#include <string_view>

namespace ssegw {

/// Lowercase hex SHA-256 of `data` (64 characters). Thread-safe.
std::string sha256_hex(std::string_view data);

} // namespace ssegw

// The platform's rule for device and scene ids: what a stream path, a webhook filter and a
// published event accept. Pure.
#pragma once

#include <string_view>

namespace ssegw::ids {

/// 1-200 bytes, no controls or spaces (ids end up in channel and key names).
inline bool valid_device_id(std::string_view id) {
    if (id.empty() || id.size() > 200) return false;
    for (unsigned char c : id)
        if (c < 0x21 || c == 0x7f) return false;
    return true;
}

} // namespace ssegw::ids

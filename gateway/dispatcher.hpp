// The hot path's first half, on the control thread: which workers hold streams of which channel
// (so Redis gets one SUBSCRIBE per channel per instance), and each Redis message parsed and
// framed once, then the one shared frame posted to every worker that has readers.
#pragma once

#include "common/redis/subscriber.hpp"
#include "gateway/metrics.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ssegw::gateway {

class worker;

class dispatcher {
public:
    static constexpr char const* revoked_channel = "apikey:revoked";

    dispatcher(std::vector<std::unique_ptr<worker>>& workers, metrics& m, redis::endpoint const& ep,
               net::any_io_executor control);

    redis::subscriber& subscriber() noexcept { return *sub_; }

    /// Control thread: worker `w` got its first stream of `channel` (joined) or lost its last.
    void channel_changed(unsigned w, std::string const& channel, bool joined);

private:
    void on_message(std::string_view channel, std::string_view payload);

    std::vector<std::unique_ptr<worker>>& workers_;
    metrics& metrics_;
    std::unordered_map<std::string, std::vector<bool>> readers_;  // channel -> workers with streams
    std::unique_ptr<redis::subscriber> sub_;
};

} // namespace ssegw::gateway

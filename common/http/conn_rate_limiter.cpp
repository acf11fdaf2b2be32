#include "common/http/conn_rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace ssegw::web {
namespace {
constexpr double epsilon = 1e-9;  // refills summed in steps must not miss a whole token by rounding
}

conn_rate_limiter::conn_rate_limiter(double rate, double burst, std::size_t max_tracked)
    : rate_(rate > 0 && std::isfinite(rate) ? rate : 0),
      burst_(std::max(1.0, burst > 0 && std::isfinite(burst) ? burst : rate_)),
      max_tracked_(std::max<std::size_t>(1, max_tracked)),
      refill_time_(rate_ > 0 ? std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(burst_ / rate_))
                             : clock::duration::zero()) {}

conn_rate_limiter::address conn_rate_limiter::v4(std::uint32_t h) {
    return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, static_cast<std::uint8_t>(h >> 24),
            static_cast<std::uint8_t>(h >> 16), static_cast<std::uint8_t>(h >> 8), static_cast<std::uint8_t>(h)};
}

std::size_t conn_rate_limiter::hasher::operator()(address const& a) const noexcept {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (auto b : a) h = (h ^ b) * 1099511628211ull;
    return static_cast<std::size_t>(h);
}

double conn_rate_limiter::tokens_at(bucket const& b, clock::time_point now) const {
    double elapsed = now > b.last ? std::chrono::duration<double>(now - b.last).count() : 0.0;
    return std::min(burst_, b.tokens + elapsed * rate_);
}

void conn_rate_limiter::sweep(clock::time_point now) {
    // A bucket untouched for refill_time_ is full: forgetting it changes nothing.
    std::erase_if(buckets_, [&](auto const& kv) { return now - kv.second.last >= refill_time_; });
    next_sweep_ = now + std::max<clock::duration>(refill_time_, std::chrono::seconds(1));
}

bool conn_rate_limiter::allow(address const& ip, clock::time_point now) {
    if (!enabled()) return true;
    if (now >= next_sweep_) sweep(now);
    auto it = buckets_.find(ip);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_tracked_) {
            sweep(now);
            if (buckets_.size() >= max_tracked_) return true;  // bounded memory wins; see the header
        }
        buckets_.emplace(ip, bucket{burst_ - 1, now});
        return true;
    }
    double tokens = tokens_at(it->second, now);
    it->second.last = std::max(it->second.last, now);
    if (tokens < 1 - epsilon) {
        it->second.tokens = tokens;
        return false;
    }
    it->second.tokens = std::max(0.0, tokens - 1);
    return true;
}

double conn_rate_limiter::retry_after(address const& ip, clock::time_point now) const {
    if (!enabled()) return 0;
    auto it = buckets_.find(ip);
    if (it == buckets_.end()) return 0;
    double tokens = tokens_at(it->second, now);
    return tokens >= 1 - epsilon ? 0 : (1 - tokens) / rate_;
}

} // namespace ssegw::web

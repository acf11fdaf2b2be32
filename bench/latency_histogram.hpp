// Publish-to-receive latencies in nanoseconds: log-linear buckets (128 per power of two, so any
// percentile is within 0.8 % of the true value), constant-time record, mergeable across threads.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace ssegw::bench {

class latency_histogram {
public:
    void record(std::int64_t ns);
    void merge(latency_histogram const& other);

    std::uint64_t count() const noexcept { return count_; }
    std::int64_t max() const noexcept { return max_; }
    double mean() const noexcept { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }
    /// The value at quantile q in [0, 1] (upper bound of its bucket, capped at max()); 0 if empty.
    std::int64_t quantile(double q) const;
    /// (latency ns, fraction of samples at or below it), one point per non-empty bucket: a CDF.
    std::vector<std::pair<std::int64_t, double>> cdf() const;

    static constexpr int sub_bits = 7;
    static std::size_t bucket_of(std::int64_t ns);
    static std::int64_t upper_bound_of(std::size_t bucket);

private:
    static constexpr std::size_t buckets = (64 - sub_bits) << sub_bits;
    std::array<std::uint64_t, buckets> counts_{};
    std::uint64_t count_ = 0;
    std::int64_t sum_ = 0;
    std::int64_t max_ = 0;
};

} // namespace ssegw::bench

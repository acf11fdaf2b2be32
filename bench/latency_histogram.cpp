#include "bench/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ssegw::bench {

// Values below 2^sub_bits have a bucket each; above, a power of two is split in 2^sub_bits.
std::size_t latency_histogram::bucket_of(std::int64_t ns) {
    auto const v = static_cast<std::uint64_t>(std::max<std::int64_t>(ns, 0));
    if (v < (1u << sub_bits)) return static_cast<std::size_t>(v);
    int const e = 63 - std::countl_zero(v);  // >= sub_bits
    auto const sub = (v >> (e - sub_bits)) & ((1u << sub_bits) - 1);
    return (static_cast<std::size_t>(e - sub_bits + 1) << sub_bits) + sub;
}

std::int64_t latency_histogram::upper_bound_of(std::size_t bucket) {
    if (bucket < (1u << sub_bits)) return static_cast<std::int64_t>(bucket);
    auto const e = static_cast<int>(bucket >> sub_bits) + sub_bits - 1;
    auto const sub = bucket & ((1u << sub_bits) - 1);
    auto const lower = ((std::uint64_t{1} << sub_bits) + sub) << (e - sub_bits);
    auto const width = std::uint64_t{1} << (e - sub_bits);
    return static_cast<std::int64_t>(lower + width - 1);
}

void latency_histogram::record(std::int64_t ns) {
    ns = std::max<std::int64_t>(ns, 0);  // clocks of two processes: never below zero
    ++counts_[bucket_of(ns)];
    ++count_;
    sum_ += ns;
    max_ = std::max(max_, ns);
}

void latency_histogram::merge(latency_histogram const& other) {
    for (std::size_t i = 0; i < buckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
}

std::int64_t latency_histogram::quantile(double q) const {
    if (count_ == 0) return 0;
    auto const rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::min(upper_bound_of(i), max_);
    }
    return max_;
}

std::vector<std::pair<std::int64_t, double>> latency_histogram::cdf() const {
    std::vector<std::pair<std::int64_t, double>> out;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets && seen < count_; ++i) {
        if (!counts_[i]) continue;
        seen += counts_[i];
        out.emplace_back(std::min(upper_bound_of(i), max_), static_cast<double>(seen) / static_cast<double>(count_));
    }
    return out;
}

} // namespace ssegw::bench

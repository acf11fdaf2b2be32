// sse-bench's latency histogram: percentiles within the bucket precision, merge, CDF.
#include "bench/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <random>

namespace ssegw::bench {
namespace {

TEST(bench_latency_histogram, buckets_cover_every_value_in_order) {
    std::size_t last = 0;
    for (std::int64_t v : {0LL, 1LL, 127LL, 128LL, 129LL, 255LL, 256LL, 1000LL, 1000000LL, 1LL << 40, (1LL << 62) + 5}) {
        auto b = latency_histogram::bucket_of(v);
        EXPECT_GE(b, last) << v;
        last = b;
        EXPECT_GE(latency_histogram::upper_bound_of(b), v) << v;
        EXPECT_LE(static_cast<double>(latency_histogram::upper_bound_of(b)), static_cast<double>(v) * 1.0079 + 1) << v;
    }
}

TEST(bench_latency_histogram, quantiles_are_within_one_percent_of_the_exact_ones) {
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> dist(13.0, 1.0);  // around 0.4 ms, long tail
    std::vector<std::int64_t> values;
    latency_histogram h;
    for (int i = 0; i < 100000; ++i) {
        auto v = static_cast<std::int64_t>(dist(rng));
        values.push_back(v);
        h.record(v);
    }
    std::sort(values.begin(), values.end());
    for (double q : {0.5, 0.9, 0.99, 0.999}) {
        auto exact = static_cast<double>(values[static_cast<std::size_t>(std::ceil(q * 100000)) - 1]);
        EXPECT_NEAR(static_cast<double>(h.quantile(q)), exact, exact * 0.01) << q;
    }
    EXPECT_EQ(h.max(), values.back());
    EXPECT_EQ(h.quantile(1.0), values.back());
    EXPECT_EQ(h.count(), 100000u);
}

TEST(bench_latency_histogram, merge_equals_recording_everything_in_one) {
    latency_histogram a, b, all;
    for (int i = 0; i < 1000; ++i) {
        a.record(i * 1000);
        all.record(i * 1000);
        b.record(i * 7919);
        all.record(i * 7919);
    }
    a.merge(b);
    EXPECT_EQ(a.count(), all.count());
    EXPECT_EQ(a.max(), all.max());
    for (double q : {0.1, 0.5, 0.99}) EXPECT_EQ(a.quantile(q), all.quantile(q));
    auto cdf = a.cdf();
    ASSERT_FALSE(cdf.empty());
    EXPECT_DOUBLE_EQ(cdf.back().second, 1.0);
    for (std::size_t i = 1; i < cdf.size(); ++i) EXPECT_LT(cdf[i - 1].first, cdf[i].first);
}

TEST(bench_latency_histogram, empty_and_negative) {
    latency_histogram h;
    EXPECT_EQ(h.quantile(0.99), 0);
    h.record(-5);  // clock skew between processes: counted as zero, not lost
    EXPECT_EQ(h.count(), 1u);
    EXPECT_EQ(h.quantile(0.5), 0);
}

} // namespace
} // namespace ssegw::bench

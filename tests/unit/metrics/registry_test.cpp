// metrics registry: Prometheus text for counters, gauges, histograms and computed values, in
// registration order, each family under one HELP and TYPE.
#include "common/metrics/registry.hpp"

#include "tests/support/bytes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ssegw::metrics;

using ssegw::it::lines_of;

TEST(metrics_registry, empty_renders_nothing) {
    registry r;
    EXPECT_EQ(r.render(), "");
}

TEST(metrics_registry, counter_and_gauge) {
    registry r;
    auto& c = r.add_counter("x_total", "Things.");
    auto& g = r.add_gauge("y", "Level.");
    c.fetch_add(3);
    g.fetch_add(5);
    g.fetch_sub(7);
    EXPECT_EQ(r.render(), "# HELP x_total Things.\n# TYPE x_total counter\nx_total 3\n"
                          "# HELP y Level.\n# TYPE y gauge\ny -2\n");
}

TEST(metrics_registry, labelled_series_of_one_family_share_help_and_type) {
    registry r;
    auto& a = r.add_counter("d_total", "Drops.", "reason=\"a\"");
    r.add_gauge("other", "Other.");
    auto& b = r.add_counter("d_total", "Drops.", "reason=\"b\"");
    a.fetch_add(1);
    b.fetch_add(2);
    EXPECT_EQ(r.render(), "# HELP d_total Drops.\n# TYPE d_total counter\n"
                          "d_total{reason=\"a\"} 1\nd_total{reason=\"b\"} 2\n"
                          "# HELP other Other.\n# TYPE other gauge\nother 0\n");
    EXPECT_NE(&a, &b);
}

TEST(metrics_registry, computed_is_read_at_render) {
    registry r;
    double v = 1;
    r.add_computed("up", "Up.", "gauge", [&v] { return v; });
    r.add_computed("n_total", "N.", "counter", [] { return 12345678.0; });
    EXPECT_EQ(r.render(), "# HELP up Up.\n# TYPE up gauge\nup 1\n# HELP n_total N.\n# TYPE n_total counter\nn_total 12345678\n");
    v = 0.5;
    EXPECT_EQ(lines_of(r.render())[2], "up 0.5");
}

TEST(metrics_registry, histogram_buckets_sum_and_count) {
    registry r;
    auto& h = r.add_histogram("lag_seconds", "Lag.", {0.1, 1, 2.5});
    for (double v : {0.05, 0.1, 0.5, 2.0, 9.0, -3.0}) h.observe(v);  // negative counts as 0
    EXPECT_EQ(r.render(), "# HELP lag_seconds Lag.\n# TYPE lag_seconds histogram\n"
                          "lag_seconds_bucket{le=\"0.1\"} 3\n"
                          "lag_seconds_bucket{le=\"1\"} 4\n"
                          "lag_seconds_bucket{le=\"2.5\"} 5\n"
                          "lag_seconds_bucket{le=\"+Inf\"} 6\n"
                          "lag_seconds_sum 11.650000\n"
                          "lag_seconds_count 6\n");
}

TEST(metrics_registry, empty_histogram_is_all_zero) {
    registry r;
    r.add_histogram("h", "H.", {1});
    EXPECT_EQ(r.render(), "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\n"
                          "h_sum 0.000000\nh_count 0\n");
}

TEST(metrics_registry, series_references_stay_valid_as_more_are_added) {
    registry r;
    auto& first = r.add_counter("c_total", "C.", "i=\"0\"");
    for (int i = 1; i < 1000; ++i) r.add_counter("c_total", "C.", "i=\"" + std::to_string(i) + "\"");
    first.fetch_add(42);
    auto lines = lines_of(r.render());
    ASSERT_EQ(lines.size(), 1002u);
    EXPECT_EQ(lines[2], "c_total{i=\"0\"} 42");
}

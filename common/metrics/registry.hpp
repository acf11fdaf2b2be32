// A small metrics registry: counters, gauges and histograms that any thread updates with one
// relaxed atomic operation, and values read at scrape time, rendered as Prometheus text in the
// order they were registered. Series are created before the service runs and live as long as the
// registry, so a hot path holds plain references to them.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace ssegw::metrics {

using counter = std::atomic<std::uint64_t>;
using gauge = std::atomic<std::int64_t>;

class histogram {
public:
    explicit histogram(std::vector<double> bounds);
    void observe(double v);

private:
    friend class registry;
    std::vector<double> bounds_;
    std::deque<counter> buckets_;  // one per bound, then +Inf
    counter sum_micros_{0};
    counter count_{0};
};

class registry {
public:
    /// `labels` like `reason="idle"`; empty for an unlabelled series. Same name: same family.
    counter& add_counter(std::string const& name, std::string const& help, std::string labels = {});
    gauge& add_gauge(std::string const& name, std::string const& help, std::string labels = {});
    histogram& add_histogram(std::string const& name, std::string const& help, std::vector<double> bounds);
    /// A value computed at scrape time, on the thread that renders.
    void add_computed(std::string const& name, std::string const& help, char const* type,
                      std::function<double()> read);

    std::string render() const;

private:
    struct series {
        std::string labels;
        counter* c = nullptr;
        gauge* g = nullptr;
        histogram* h = nullptr;
        std::function<double()> read;
    };
    struct family {
        std::string name, help, type;
        std::vector<series> members;
    };
    family& family_of(std::string const& name, std::string const& help, char const* type);

    std::deque<family> families_;
    std::deque<counter> counters_;
    std::deque<gauge> gauges_;
    std::deque<histogram> histograms_;
};

} // namespace ssegw::metrics

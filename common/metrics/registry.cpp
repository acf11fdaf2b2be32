#include "common/metrics/registry.hpp"

#include <cstdio>
#include <sstream>

namespace ssegw::metrics {

histogram::histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1) {}

void histogram::observe(double v) {
    if (v < 0) v = 0;
    std::size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_micros_.fetch_add(static_cast<std::uint64_t>(v * 1e6), std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

registry::family& registry::family_of(std::string const& name, std::string const& help, char const* type) {
    for (auto& f : families_)
        if (f.name == name) return f;
    return families_.emplace_back(family{name, help, type, {}});
}

counter& registry::add_counter(std::string const& name, std::string const& help, std::string labels) {
    auto& c = counters_.emplace_back(0);
    family_of(name, help, "counter").members.push_back({std::move(labels), &c, nullptr, nullptr, {}});
    return c;
}

gauge& registry::add_gauge(std::string const& name, std::string const& help, std::string labels) {
    auto& g = gauges_.emplace_back(0);
    family_of(name, help, "gauge").members.push_back({std::move(labels), nullptr, &g, nullptr, {}});
    return g;
}

histogram& registry::add_histogram(std::string const& name, std::string const& help, std::vector<double> bounds) {
    auto& h = histograms_.emplace_back(std::move(bounds));
    family_of(name, help, "histogram").members.push_back({{}, nullptr, nullptr, &h, {}});
    return h;
}

void registry::add_computed(std::string const& name, std::string const& help, char const* type,
                            std::function<double()> read) {
    family_of(name, help, type).members.push_back({{}, nullptr, nullptr, nullptr, std::move(read)});
}

std::string registry::render() const {
    std::ostringstream os;
    char num[64];
    for (auto const& f : families_) {
        os << "# HELP " << f.name << ' ' << f.help << "\n# TYPE " << f.name << ' ' << f.type << '\n';
        for (auto const& s : f.members) {
            auto name = s.labels.empty() ? f.name : f.name + "{" + s.labels + "}";
            if (s.c) os << name << ' ' << s.c->load(std::memory_order_relaxed) << '\n';
            else if (s.g) os << name << ' ' << s.g->load(std::memory_order_relaxed) << '\n';
            else if (s.read) {
                std::snprintf(num, sizeof num, "%.17g", s.read());
                os << name << ' ' << num << '\n';
            } else if (s.h) {
                std::uint64_t cumulative = 0;
                for (std::size_t i = 0; i < s.h->bounds_.size(); ++i) {
                    cumulative += s.h->buckets_[i].load(std::memory_order_relaxed);
                    std::snprintf(num, sizeof num, "%g", s.h->bounds_[i]);
                    os << f.name << "_bucket{le=\"" << num << "\"} " << cumulative << '\n';
                }
                cumulative += s.h->buckets_.back().load(std::memory_order_relaxed);
                os << f.name << "_bucket{le=\"+Inf\"} " << cumulative << '\n';
                std::snprintf(num, sizeof num, "%.6f",
                              static_cast<double>(s.h->sum_micros_.load(std::memory_order_relaxed)) / 1e6);
                os << f.name << "_sum " << num << '\n'
                   << f.name << "_count " << s.h->count_.load(std::memory_order_relaxed) << '\n';
            }
        }
    }
    return os.str();
}

} // namespace ssegw::metrics

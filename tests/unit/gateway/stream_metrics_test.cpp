// gateway stream_metrics: Prometheus text with the names of docs/OPERATIONS.md (Metrics), rendered by the
// metrics registry the stream series are registered in.
#include "gateway/stream_metrics.hpp"

#include "common/metrics/registry.hpp"

#include "tests/support/bytes.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

using namespace ssegw::gateway;
using ssegw::web::error_kind;

namespace {

using ssegw::it::lines_of;

// "# TYPE name kind" lines, name -> kind; fails on a family declared twice.
std::map<std::string, std::string> types_of(std::string const& text) {
    std::map<std::string, std::string> types;
    for (auto const& l : lines_of(text)) {
        if (l.rfind("# TYPE ", 0) != 0) continue;
        std::istringstream in(l.substr(7));
        std::string name, kind;
        in >> name >> kind;
        EXPECT_EQ(types.count(name), 0u) << "TYPE declared twice: " << name;
        types[name] = kind;
    }
    return types;
}

// Sample lines "name{labels} value", keyed by everything before the value.
std::map<std::string, std::string> samples_of(std::string const& text) {
    std::map<std::string, std::string> samples;
    for (auto const& l : lines_of(text)) {
        if (l.empty() || l[0] == '#') continue;
        auto sp = l.rfind(' ');
        EXPECT_NE(sp, std::string::npos) << l;
        if (sp == std::string::npos) continue;
        EXPECT_EQ(samples.count(l.substr(0, sp)), 0u) << "sample twice: " << l;
        samples[l.substr(0, sp)] = l.substr(sp + 1);
    }
    return samples;
}

// What control_plane reads from Redis at scrape time (its computed series).
struct redis_status {
    bool connected = false;
    unsigned long long reconnects = 0;
    unsigned long long subscriptions = 0;
};

// A registry holding the stream series plus the three Redis series control_plane registers there
// (same names, help and types), fed from `redis` instead of live clients.
struct metrics_under_test {
    ssegw::metrics::registry reg;
    stream_metrics m{reg};
    redis_status redis;

    metrics_under_test() {
        reg.add_computed("sse_gateway_redis_connected", "Whether Redis is connected and subscribed.", "gauge",
                         [this] { return redis.connected ? 1.0 : 0.0; });
        reg.add_computed("sse_gateway_redis_reconnects_total", "Redis reconnection attempts.", "counter",
                         [this] { return static_cast<double>(redis.reconnects); });
        reg.add_computed("sse_gateway_redis_subscriptions", "Channels subscribed.", "gauge",
                         [this] { return static_cast<double>(redis.subscriptions); });
    }
    metrics_under_test(metrics_under_test const&) = delete;
    metrics_under_test& operator=(metrics_under_test const&) = delete;

    std::string render(redis_status r) {
        redis = r;
        return reg.render();
    }
};

std::string sample(std::string const& text, std::string const& key) {
    auto s = samples_of(text);
    auto it = s.find(key);
    return it == s.end() ? "<missing " + key + ">" : it->second;
}

} // namespace

TEST(metrics_render, every_contract_metric_has_its_type) {
    metrics_under_test mt;
    auto text = mt.render({});
    auto types = types_of(text);
    std::map<std::string, std::string> const want = {
        {"sse_gateway_connections", "gauge"},
        {"sse_gateway_connections_opened_total", "counter"},
        {"sse_gateway_connections_rejected_total", "counter"},
        {"sse_gateway_events_received_total", "counter"},
        {"sse_gateway_events_delivered_total", "counter"},
        {"sse_gateway_events_replayed_total", "counter"},
        {"sse_gateway_events_dropped_total", "counter"},
        {"sse_gateway_disconnects_total", "counter"},
        {"sse_gateway_redis_connected", "gauge"},
        {"sse_gateway_redis_reconnects_total", "counter"},
        {"sse_gateway_redis_subscriptions", "gauge"},
        {"sse_gateway_delivery_lag_seconds", "histogram"},
    };
    for (auto const& [name, kind] : want) {
        auto it = types.find(name);
        ASSERT_NE(it, types.end()) << name;
        EXPECT_EQ(it->second, kind) << name;
    }
}

TEST(metrics_render, every_sample_belongs_to_a_declared_family) {
    metrics_under_test mt;
    auto text = mt.render({});
    auto types = types_of(text);
    for (auto const& [key, value] : samples_of(text)) {
        std::string name = key.substr(0, key.find('{'));
        std::string family = name;
        for (auto suffix : {"_bucket", "_sum", "_count"})
            if (!types.count(family) && name.size() > std::string(suffix).size() &&
                name.compare(name.size() - std::string(suffix).size(), std::string::npos, suffix) == 0)
                family = name.substr(0, name.size() - std::string(suffix).size());
        EXPECT_TRUE(types.count(family)) << key;
        EXPECT_FALSE(value.empty()) << key;
    }
    EXPECT_EQ(text.back(), '\n');
}

TEST(metrics_render, labelled_series) {
    metrics_under_test mt;
    auto s = samples_of(mt.render({}));
    for (auto stream : {"device", "all"})
        EXPECT_TRUE(s.count(std::string("sse_gateway_connections{stream=\"") + stream + "\"}")) << stream;
    for (auto reason : {"unauthorized", "forbidden", "not_found", "too_many", "unavailable", "bad_request"})
        EXPECT_EQ(s[std::string("sse_gateway_connections_rejected_total{reason=\"") + reason + "\"}"], "0")
            << reason;
    std::size_t rejected_series = 0;
    for (auto const& [key, value] : s)
        if (key.rfind("sse_gateway_connections_rejected_total{", 0) == 0) ++rejected_series;
    EXPECT_EQ(rejected_series, 6u);
    for (auto reason : {"client", "idle", "slow", "revoked", "shutdown"})
        EXPECT_EQ(s[std::string("sse_gateway_disconnects_total{reason=\"") + reason + "\"}"], "0") << reason;
}

TEST(metrics_render, counters_reflect_increments) {
    metrics_under_test mt;
    auto& m = mt.m;
    m.connections[static_cast<std::size_t>(stream_kind::device)]->fetch_add(3);
    m.connections[static_cast<std::size_t>(stream_kind::all)]->fetch_add(1);
    m.opened->fetch_add(4);
    m.reject(error_kind::too_many);
    m.reject(error_kind::too_many);
    m.reject(error_kind::unauthorized);
    m.reject(error_kind::bad_request);
    m.reject(error_kind::method_not_allowed);  // no label of its own: counts as bad_request
    m.events_received->fetch_add(10);
    m.events_delivered->fetch_add(25);
    m.events_replayed->fetch_add(5);
    m.drop(drop_reason::malformed);
    m.disconnect(disconnect_reason::idle);
    m.disconnect(disconnect_reason::slow);
    m.disconnect(disconnect_reason::slow);
    m.disconnect(disconnect_reason::revoked);

    auto text = mt.render({true, 7, 12});
    EXPECT_EQ(sample(text, "sse_gateway_connections{stream=\"device\"}"), "3");
    EXPECT_EQ(sample(text, "sse_gateway_connections{stream=\"all\"}"), "1");
    EXPECT_EQ(sample(text, "sse_gateway_connections_opened_total"), "4");
    EXPECT_EQ(sample(text, "sse_gateway_connections_rejected_total{reason=\"too_many\"}"), "2");
    EXPECT_EQ(sample(text, "sse_gateway_connections_rejected_total{reason=\"unauthorized\"}"), "1");
    EXPECT_EQ(sample(text, "sse_gateway_connections_rejected_total{reason=\"bad_request\"}"), "2");
    EXPECT_EQ(sample(text, "sse_gateway_connections_rejected_total{reason=\"forbidden\"}"), "0");
    EXPECT_EQ(sample(text, "sse_gateway_events_received_total"), "10");
    EXPECT_EQ(sample(text, "sse_gateway_events_delivered_total"), "25");
    EXPECT_EQ(sample(text, "sse_gateway_events_replayed_total"), "5");
    EXPECT_EQ(sample(text, "sse_gateway_events_dropped_total{reason=\"malformed\"}"), "1");
    EXPECT_EQ(sample(text, "sse_gateway_disconnects_total{reason=\"idle\"}"), "1");
    EXPECT_EQ(sample(text, "sse_gateway_disconnects_total{reason=\"slow\"}"), "2");
    EXPECT_EQ(sample(text, "sse_gateway_disconnects_total{reason=\"revoked\"}"), "1");
    EXPECT_EQ(sample(text, "sse_gateway_disconnects_total{reason=\"client\"}"), "0");
    EXPECT_EQ(sample(text, "sse_gateway_redis_connected"), "1");
    EXPECT_EQ(sample(text, "sse_gateway_redis_reconnects_total"), "7");
    EXPECT_EQ(sample(text, "sse_gateway_redis_subscriptions"), "12");
    EXPECT_EQ(sample(mt.render({false, 0, 0}), "sse_gateway_redis_connected"), "0");
}

TEST(metrics_render, disconnect_reason_names) {
    EXPECT_EQ(name_of(disconnect_reason::client), "client");
    EXPECT_EQ(name_of(disconnect_reason::idle), "idle");
    EXPECT_EQ(name_of(disconnect_reason::slow), "slow");
    EXPECT_EQ(name_of(disconnect_reason::revoked), "revoked");
    EXPECT_EQ(name_of(disconnect_reason::shutdown), "shutdown");
}

TEST(metrics_histogram, buckets_are_cumulative_and_inf_equals_count) {
    metrics_under_test mt;
    auto& m = mt.m;
    for (double s : {0.0005, 0.001, 0.003, 0.003, 0.02, 0.3, 1.0, 4.0, 10.0, 60.0, -1.0}) m.observe_lag(s);
    auto text = mt.render({});

    std::vector<std::pair<std::string, unsigned long long>> buckets;
    for (auto const& l : lines_of(text)) {
        std::string const prefix = "sse_gateway_delivery_lag_seconds_bucket{le=\"";
        if (l.rfind(prefix, 0) != 0) continue;
        auto q = l.find('"', prefix.size());
        buckets.emplace_back(l.substr(prefix.size(), q - prefix.size()), std::stoull(l.substr(l.rfind(' ') + 1)));
    }
    ASSERT_GE(buckets.size(), 2u);
    EXPECT_EQ(buckets.back().first, "+Inf");
    double prev_le = -1;
    unsigned long long prev = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        EXPECT_GE(buckets[i].second, prev) << "bucket le=" << buckets[i].first << " is not cumulative";
        prev = buckets[i].second;
        if (i + 1 < buckets.size()) {
            double le = std::stod(buckets[i].first);
            EXPECT_GT(le, prev_le) << "bounds must increase";
            prev_le = le;
        }
    }
    auto count = sample(text, "sse_gateway_delivery_lag_seconds_count");
    EXPECT_EQ(count, "11");
    EXPECT_EQ(std::to_string(buckets.back().second), count);

    std::map<std::string, unsigned long long> by_le(buckets.begin(), buckets.end());
    EXPECT_EQ(by_le["0.001"], 3u);   // 0.0005, 0.001 (le is inclusive), -1 clamped to 0
    EXPECT_EQ(by_le["0.005"], 5u);   // + 0.003 twice
    EXPECT_EQ(by_le["0.025"], 6u);   // + 0.02
    EXPECT_EQ(by_le["0.5"], 7u);     // + 0.3
    EXPECT_EQ(by_le["1"], 8u);       // + 1.0
    EXPECT_EQ(by_le["5"], 9u);       // + 4.0
    EXPECT_EQ(by_le["+Inf"], 11u);   // + 10, 60

    double sum = std::stod(sample(text, "sse_gateway_delivery_lag_seconds_sum"));
    EXPECT_NEAR(sum, 0.0005 + 0.001 + 0.003 + 0.003 + 0.02 + 0.3 + 1.0 + 4.0 + 10.0 + 60.0, 1e-5);
}

TEST(metrics_histogram, empty_histogram_is_all_zero) {
    metrics_under_test mt;
    auto text = mt.render({});
    EXPECT_EQ(sample(text, "sse_gateway_delivery_lag_seconds_bucket{le=\"+Inf\"}"), "0");
    EXPECT_EQ(sample(text, "sse_gateway_delivery_lag_seconds_count"), "0");
    EXPECT_DOUBLE_EQ(std::stod(sample(text, "sse_gateway_delivery_lag_seconds_sum")), 0.0);
}

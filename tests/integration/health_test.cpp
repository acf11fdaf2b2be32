// Operations endpoints (docs/OPERATIONS.md): /healthz, /readyz, /metrics, unknown paths.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

namespace ssegw::it {
namespace {

class health : public gateway_test {};

TEST_F(health, healthz_and_readyz_are_200_with_redis_up) {
    auto& gw = start_gateway();
    EXPECT_EQ(http_get(gw.port(), "/healthz").status(), 200);
    EXPECT_EQ(http_get(gw.port(), "/readyz").status(), 200);
}

TEST_F(health, unknown_path_is_404_json) {
    auto& gw = start_gateway();
    auto key = new_user(unique("u"), {});
    EXPECT_TRUE(is_error(http_get(gw.port(), "/nope", bearer(key)), 404, "NOT_FOUND"));
    EXPECT_TRUE(is_error(http_get(gw.port(), "/api/v1/devices/x/analysis/streamz", bearer(key)), 404, "NOT_FOUND"));
    EXPECT_TRUE(is_error(http_get(gw.port(), "/api/v1/devices/analysis/stream/all/more", bearer(key)), 404,
                         "NOT_FOUND"));
}

TEST_F(health, metrics_exposes_the_named_families) {
    auto& gw = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    {
        auto s = open_stream(gw.port(), device_path(dev), bearer(key));
        pub().publish(user, dev, result_json(dev, 1));
        next_event(*s);
    }
    http_get(gw.port(), device_path(dev));  // one 401
    auto m = http_get(gw.port(), "/metrics");
    ASSERT_EQ(m.status(), 200) << m.dump();
    auto ct = m.header("Content-Type");
    ASSERT_TRUE(ct);
    EXPECT_EQ(ct->rfind("text/plain", 0), 0u) << *ct;
    for (auto name : {"sse_gateway_connections", "sse_gateway_connections_opened_total",
                      "sse_gateway_connections_rejected_total", "sse_gateway_events_received_total",
                      "sse_gateway_events_delivered_total", "sse_gateway_events_replayed_total",
                      "sse_gateway_events_dropped_total", "sse_gateway_disconnects_total",
                      "sse_gateway_redis_connected", "sse_gateway_redis_reconnects_total",
                      "sse_gateway_redis_subscriptions", "sse_gateway_delivery_lag_seconds"})
        EXPECT_NE(m.body.find(std::string("\n") + name), std::string::npos) << name << " missing:\n" << m.body;
    EXPECT_EQ(metric_value(m.body, "sse_gateway_connections_rejected_total{reason=\"unauthorized\"}"), 1.0)
        << m.body;
    EXPECT_EQ(metric_value(m.body, "sse_gateway_redis_connected"), 1.0) << m.body;
    EXPECT_GE(metric_value(m.body, "sse_gateway_connections_opened_total").value_or(0), 1.0) << m.body;
}

} // namespace
} // namespace ssegw::it

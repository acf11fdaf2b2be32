// sse-bench is an instrument: its books must balance. Against the real gateway and Redis, a small
// mixed load (device and all-streams, a reconnect storm mid-run) must report every stream open,
// exactly the deliveries the plan owes, none missing or doubled, and the storm fully resumed.
#include "tests/support/fixture.hpp"

#include <nlohmann/json.hpp>

namespace ssegw::it {
namespace {

#ifndef SSEGW_BENCH_BIN
#error "SSEGW_BENCH_BIN must name the sse-bench binary"
#endif

class bench : public gateway_test {
protected:
    nlohmann::json run_bench(std::vector<std::string> args) {
        process_options o;
        o.path = SSEGW_BENCH_BIN;
        o.args = std::move(args);
        o.stdout_file = (dir_->path() / "bench.out").string();
        o.stderr_file = (dir_->path() / "bench.err").string();
        process p(o);
        auto st = p.wait_until(in(50s));
        auto const out = read_file(o.stdout_file);
        EXPECT_TRUE(st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0)
            << describe_status(st) << "\nstderr: " << read_file(o.stderr_file);
        return nlohmann::json::parse(out);
    }
};

TEST_F(bench, gateway_run_accounts_for_every_delivery_through_a_reconnect_storm) {
    auto& gw = start_gateway({"--max-conns-per-user", "100000"});
    // 200 streams: every 5th follows a user (40 all-streams, 8 per user), 160 follow a device (8 per
    // device). 200 results over 20 devices: 10 per device, 40 per user. Owed: 200 x 8 + 40 x 8 x 5.
    auto r = run_bench({"--target", "gateway", "--port", std::to_string(gw.port()), "--redis", redis_server_->url(),
                        "--prefix", unique("b"), "--streams", "200", "--devices", "20", "--users", "5",
                        "--all-ratio", "0.2", "--rate", "200", "--duration", "1", "--settle", "0.2",
                        "--storm", "100", "--storm-after", "0.4", "--pid", std::to_string(gw.proc().pid())});
    ASSERT_EQ(r["streams"]["open"], 200) << r.dump(1);
    EXPECT_EQ(r["streams"]["failed"], 0);
    EXPECT_EQ(r["streams"]["open_at_end"], 200);
    ASSERT_EQ(r["steps"].size(), 1u);
    auto const& s = r["steps"][0];
    EXPECT_EQ(s["published"], 200);
    EXPECT_EQ(s["expected"], 3200) << r.dump(1);
    EXPECT_EQ(s["received"], 3200) << r.dump(1);
    EXPECT_EQ(s["missing"], 0);
    EXPECT_EQ(s["duplicated"], 0);
    EXPECT_EQ(s["latency_ms"]["count"], 3200);
    EXPECT_GT(s["server_cpu_s"].get<double>(), 0.0);
    EXPECT_GT(r["memory"]["rss_open_kib"].get<long>(), 0);
    auto const& storm = r["storm"];
    EXPECT_EQ(storm["dropped"], 100) << storm.dump();
    EXPECT_EQ(storm["reopened"], 100) << storm.dump();
    EXPECT_EQ(storm["caught_up"], 100) << storm.dump();
    EXPECT_EQ(storm["missed"], 0);
}

TEST_F(bench, refused_streams_are_reported_as_failed_not_hidden) {
    // The default cap of 10 streams per user: of 30 streams of one user, 20 are refused.
    auto& gw = start_gateway();
    auto r = run_bench({"--target", "gateway", "--port", std::to_string(gw.port()), "--redis", redis_server_->url(),
                        "--prefix", unique("c"), "--streams", "30", "--devices", "1", "--users", "1",
                        "--all-ratio", "0", "--rate", "20", "--duration", "0.5", "--settle", "0"});
    EXPECT_EQ(r["streams"]["open"], 10) << r.dump(1);
    EXPECT_EQ(r["streams"]["failed"], 20);
    EXPECT_EQ(r["steps"][0]["expected"], 100) << "10 results x 10 open streams";
    EXPECT_EQ(r["steps"][0]["received"], 100);
    EXPECT_FALSE(r["errors"].empty());
}

} // namespace
} // namespace ssegw::it

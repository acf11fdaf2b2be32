// Slow consumers (docs/API.md): over --max-queued-bytes or no write progress for --write-timeout,
// that stream alone is cut; the others keep receiving everything.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

namespace ssegw::it {
namespace {

class slow_consumer : public gateway_test {
protected:
    void seed() {
        user_ = unique("u");
        dev_ = unique("d");
        key_ = new_user(user_, {dev_});
    }
    // A ~8 KB result.
    std::string big_result(int n) {
        return R"({"deviceId":")" + dev_ + R"(","seq":)" + std::to_string(n) + R"(,"blob":")" + std::string(8000, 'x') +
               "\"}";
    }
    std::vector<log_ids> publish_big(int count) {
        std::vector<std::string> batch;
        for (int i = 0; i < count; ++i) batch.push_back(big_result(i));
        return pub().publish_many(user_, dev_, batch);
    }
    std::string const slow_series = R"(sse_gateway_disconnects_total{reason="slow"})";
    std::string user_, dev_, key_;
};

TEST_F(slow_consumer, queue_over_max_bytes_cuts_only_that_stream) {
    auto& gw = start_gateway({"--max-queued-bytes", "65536"});
    seed();
    // The slow one never reads and has a tiny receive window.
    auto slow = std::make_unique<sse_client>(gw.port(), device_path(dev_), bearer(key_), in(5s), 4096);
    ASSERT_EQ(slow->status(), 200);
    auto fast = open_stream(gw.port(), device_path(dev_), bearer(key_));
    // Paced in 32 KB batches that the fast reader takes in before the next: its queue stays small, the
    // slow one's grows until it is cut (kernel buffers absorb the first MBs).
    std::vector<log_ids> ids;
    bool cut = false;
    for (int batch = 0; batch < 400 && !cut; ++batch) {
        auto b = publish_big(4);
        for (auto const& id : b) {
            auto e = next_event(*fast, in(10s));
            ASSERT_EQ(e.id, id.device_id) << "fast stream, event #" << ids.size();
            ids.push_back(id);
        }
        if (batch % 8 == 7) cut = scrape(gw.port(), slow_series).value_or(0) >= 1;
    }
    ASSERT_TRUE(poll_until(in(5s), [&] { return scrape(gw.port(), slow_series).value_or(0) >= 1; }))
        << "no slow disconnect counted after " << ids.size() << " events of 8 KB";
    EXPECT_FALSE(fast->ended()) << "the fast stream was cut too";
    // The fast one keeps receiving.
    auto after = publish_big(1);
    EXPECT_EQ(next_event(*fast).id, after[0].device_id);
    ids.push_back(after[0]);
    // The slow one, when it finally reads: a prefix of the events in order, then the end.
    std::size_t n = 0;
    while (auto e = slow->read_event(in(5s))) {
        ASSERT_LT(n, ids.size());
        EXPECT_EQ(e->id, ids[n].device_id) << "slow stream, event #" << n;
        ++n;
    }
    EXPECT_TRUE(slow->ended()) << "the slow stream was not cut";
    EXPECT_LT(n, ids.size()) << "the slow stream got everything: not cut";
}

TEST_F(slow_consumer, no_write_progress_for_write_timeout_cuts_the_stream) {
    // A queue bound far above what is sent: only the write timeout can cut it.
    auto& gw = start_gateway({"--write-timeout", "1", "--max-queued-bytes", "268435456"});
    seed();
    auto slow = std::make_unique<sse_client>(gw.port(), device_path(dev_), bearer(key_), in(5s), 4096);
    ASSERT_EQ(slow->status(), 200);
    auto fast = open_stream(gw.port(), all_path(), bearer(key_));
    // ~12 MB, more than the kernel's socket buffers can absorb for the stalled reader.
    std::vector<log_ids> ids;
    for (int i = 0; i < 3; ++i) {
        auto b = publish_big(500);
        for (auto const& id : b) ASSERT_EQ(next_event(*fast, in(10s)).id, id.user_id);
        ids.insert(ids.end(), b.begin(), b.end());
    }
    EXPECT_TRUE(poll_until(in(6s), [&] { return scrape(gw.port(), slow_series).value_or(0) >= 1; }))
        << "no slow disconnect counted within 6 s (--write-timeout 1)";
    std::size_t n = 0;
    while (slow->read_event(in(5s))) ++n;
    EXPECT_TRUE(slow->ended()) << "the stalled stream was not cut";
    EXPECT_LT(n, ids.size());
    EXPECT_FALSE(fast->ended());
}

} // namespace
} // namespace ssegw::it

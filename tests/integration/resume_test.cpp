// Resume with Last-Event-ID (docs/API.md, Resume): replay from the logs in order, then live, no gap
// and no duplicate, `event: reset` when the history is gone or the id is unknown.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

#include <nlohmann/json.hpp>

#include <thread>

namespace ssegw::it {
namespace {

class resume : public gateway_test {
protected:
    void seed() {
        user_ = unique("u");
        dev_ = unique("d");
        key_ = new_user(user_, {dev_});
    }
    header_list with_last_id(std::string const& id) {
        auto h = bearer(key_);
        h.emplace_back("Last-Event-ID", id);
        return h;
    }
    std::vector<log_ids> publish_n(int from, int to) {
        std::vector<std::string> batch;
        for (int i = from; i <= to; ++i) batch.push_back(result_json(dev_, i));
        return pub().publish_many(user_, dev_, batch);
    }
    // The reset event: event "reset", data {"reason": one of `reasons`}.
    ::testing::AssertionResult is_reset(sse_event const& e, std::vector<std::string> const& reasons) {
        if (e.event != "reset") return ::testing::AssertionFailure() << "not a reset event: " << e.raw;
        auto j = nlohmann::json::parse(e.data, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("reason") || !j["reason"].is_string())
            return ::testing::AssertionFailure() << "reset data is not {\"reason\":…}: " << e.data;
        for (auto const& r : reasons)
            if (j["reason"] == r) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure() << "unexpected reset reason: " << e.data;
    }
    std::string user_, dev_, key_;
};

TEST_F(resume, replays_events_after_the_id_then_goes_live) {
    auto& gw = start_gateway();
    seed();
    auto ids = publish_n(1, 5);
    auto s = open_stream(gw.port(), device_path(dev_), with_last_id(ids[1].device_id));
    for (int i = 2; i < 5; ++i) {
        auto e = next_event(*s);
        EXPECT_EQ(e.id, ids[i].device_id);
        EXPECT_EQ(e.event, "analysis_result");
        EXPECT_EQ(e.data, result_json(dev_, i + 1));
    }
    auto live = pub().publish(user_, dev_, result_json(dev_, 6));
    auto e = next_event(*s);
    EXPECT_EQ(e.id, live.device_id) << "expected the live event right after the replay";
    EXPECT_EQ(e.data, result_json(dev_, 6));
}

TEST_F(resume, all_stream_resumes_from_the_user_log_via_query_parameter) {
    auto& gw = start_gateway();
    seed();
    auto dev2 = unique("d2");
    add_device(redis(), user_, dev2);
    auto a = publish_n(1, 2);
    auto b = pub().publish(user_, dev2, result_json(dev2, 3));
    auto s = open_stream(gw.port(), all_path() + "?lastEventId=" + a[0].user_id, bearer(key_));
    auto e = next_event(*s);
    EXPECT_EQ(e.id, a[1].user_id);
    e = next_event(*s);
    EXPECT_EQ(e.id, b.user_id);
    EXPECT_EQ(e.data, result_json(dev2, 3));
}

TEST_F(resume, latest_id_replays_nothing) {
    auto& gw = start_gateway();
    seed();
    auto ids = publish_n(1, 3);
    auto s = open_stream(gw.port(), device_path(dev_), with_last_id(ids[2].device_id));
    auto live = pub().publish(user_, dev_, result_json(dev_, 4));
    auto e = next_event(*s);
    EXPECT_EQ(e.id, live.device_id) << "replayed something at the latest id: " << e.raw;
}

TEST_F(resume, trimmed_history_sends_reset_then_retained_entries) {
    auto& gw = start_gateway();
    seed();
    auto ids = publish_n(1, 6);
    redis().command({"XTRIM", "analysis:device:" + dev_ + ":log", "MAXLEN", "2"});
    auto s = open_stream(gw.port(), device_path(dev_), with_last_id(ids[0].device_id));
    auto e = next_event(*s);
    EXPECT_TRUE(is_reset(e, {"history_truncated"}));
    for (int i = 4; i < 6; ++i) {
        e = next_event(*s);
        EXPECT_EQ(e.id, ids[i].device_id);
        EXPECT_EQ(e.data, result_json(dev_, i + 1));
    }
    auto live = pub().publish(user_, dev_, result_json(dev_, 7));
    EXPECT_EQ(next_event(*s).id, live.device_id);
}

TEST_F(resume, deleted_entry_after_the_id_sends_reset) {
    auto& gw = start_gateway();
    seed();
    auto ids = publish_n(1, 4);
    redis().command({"XDEL", "analysis:device:" + dev_ + ":log", ids[2].device_id});
    auto s = open_stream(gw.port(), device_path(dev_), with_last_id(ids[1].device_id));
    auto e = next_event(*s);
    EXPECT_TRUE(is_reset(e, {"history_truncated"}));
    // Then every retained entry.
    std::vector<std::string> got;
    for (int i = 0; i < 3; ++i) got.push_back(next_event(*s).id);
    EXPECT_EQ(got, (std::vector<std::string>{ids[0].device_id, ids[1].device_id, ids[3].device_id}));
}

TEST_F(resume, id_newer_than_the_log_sends_reset_then_everything_retained) {
    auto& gw = start_gateway();
    seed();
    auto ids = publish_n(1, 2);
    auto s = open_stream(gw.port(), device_path(dev_), with_last_id("99999999999999-0"));
    auto e = next_event(*s);
    EXPECT_TRUE(is_reset(e, {"unknown_id", "history_truncated"}));
    EXPECT_EQ(next_event(*s).id, ids[0].device_id);
    EXPECT_EQ(next_event(*s).id, ids[1].device_id);
    auto live = pub().publish(user_, dev_, result_json(dev_, 3));
    EXPECT_EQ(next_event(*s).id, live.device_id);
}

TEST_F(resume, missing_log_sends_reset_then_live) {
    auto& gw = start_gateway();
    seed();
    auto s = open_stream(gw.port(), device_path(dev_), with_last_id("1738000000000-0"));
    auto e = next_event(*s);
    EXPECT_TRUE(is_reset(e, {"unknown_id", "history_truncated"}));
    auto live = pub().publish(user_, dev_, result_json(dev_, 1));
    EXPECT_EQ(next_event(*s).id, live.device_id);
}

TEST_F(resume, no_gap_no_duplicate_while_publishing_concurrently) {
    auto& gw = start_gateway();
    seed();
    auto before = publish_n(1, 20);
    auto const& from = before[9].device_id;
    // Keep publishing while the client reconnects and the replay runs.
    std::vector<log_ids> during;
    std::string publish_error;
    std::thread producer([&] {
        try {
            for (int round = 0; round < 6; ++round) {
                auto ids = publish_n(100 + round * 50, 100 + round * 50 + 49);
                during.insert(during.end(), ids.begin(), ids.end());
            }
        } catch (std::exception const& e) {
            publish_error = e.what();
        }
    });
    std::unique_ptr<sse_client> s;
    try {
        s = open_stream(gw.port(), device_path(dev_), with_last_id(from));
    } catch (...) {
        producer.join();
        throw;
    }
    producer.join();
    ASSERT_TRUE(publish_error.empty()) << publish_error;
    auto end = pub().publish(user_, dev_, result_json(dev_, 9999));
    // Expected: exactly the log's entries after `from`, in log order.
    auto range = redis().command({"XRANGE", "analysis:device:" + dev_ + ":log", "(" + from, "+"});
    std::vector<std::string> want;
    for (std::size_t i = 0; i < range->elements; ++i)
        want.emplace_back(range->element[i]->element[0]->str, range->element[i]->element[0]->len);
    ASSERT_EQ(want.size(), 10u + during.size() + 1u);
    ASSERT_EQ(want.back(), end.device_id);
    std::vector<std::string> got;
    while (got.empty() || got.back() != end.device_id) {
        auto e = s->read_event(in(10s));
        if (!e) break;
        got.push_back(e->id);
        if (got.size() > want.size() + 5) break;
    }
    std::size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
    EXPECT_TRUE(i == got.size() && i == want.size())
        << "received " << got.size() << " events, the log holds " << want.size() << " after " << from
        << "; first difference at position " << i << ": got " << (i < got.size() ? got[i] : "(nothing)")
        << ", want " << (i < want.size() ? want[i] : "(nothing)");
}

} // namespace
} // namespace ssegw::it

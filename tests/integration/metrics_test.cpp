// /metrics against known traffic (docs/OPERATIONS.md, metrics): the exposition is parsed as Prometheus
// text (HELP/TYPE before samples, valid names and labels, no duplicate series, histogram buckets
// cumulative with +Inf == _count), every contract family has its type, and the values match exactly what
// this test did: refusals by reason, streams opened, open streams by kind, messages received, events
// delivered (events x streams), replayed, disconnects by reason (client, slow, revoked), subscriptions as
// Redis sees them. health_test.cpp only checks that the names exist; this checks that they count right.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/traffic.hpp"

#include <cmath>
#include <ctime>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace ssegw::it {
namespace {

struct exposition {
    std::map<std::string, std::string> types;   // family -> counter|gauge|histogram|…
    std::map<std::string, std::string> helps;   // family -> help text
    std::map<std::string, double> samples;      // series exactly as rendered -> value
    std::vector<std::string> order;             // series in order
    std::vector<std::string> errors;            // format violations

    std::optional<double> get(std::string const& series) const {
        auto it = samples.find(series);
        if (it == samples.end()) return std::nullopt;
        return it->second;
    }
};

// The family a sample name belongs to given the TYPE lines seen so far ("" if none).
std::string family_of(exposition const& x, std::string const& name) {
    if (x.types.count(name)) return name;
    for (std::string suffix : {"_bucket", "_sum", "_count"}) {
        if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            auto base = name.substr(0, name.size() - suffix.size());
            auto it = x.types.find(base);
            if (it != x.types.end() && (it->second == "histogram" || it->second == "summary")) return base;
        }
    }
    return {};
}

exposition parse_exposition(std::string const& body) {
    static std::regex const sample_re(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? ([^ ]+)( -?[0-9]+)?$)");
    static std::regex const meta_re(R"(^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$)");
    exposition x;
    if (body.empty() || body.back() != '\n') x.errors.push_back("the body does not end with a newline");
    std::istringstream in(body);
    std::string line;
    std::set<std::string> families_with_samples;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::smatch m;
        if (line[0] == '#') {
            if (!std::regex_match(line, m, meta_re)) continue;  // a plain comment
            auto const& fam = m[2].str();
            if (m[1] == "TYPE") {
                if (x.types.count(fam)) x.errors.push_back("second TYPE for " + fam);
                if (families_with_samples.count(fam)) x.errors.push_back("TYPE after samples for " + fam);
                static std::set<std::string> const known{"counter", "gauge", "histogram", "summary", "untyped"};
                if (!known.count(m[3].str())) x.errors.push_back("unknown type '" + m[3].str() + "' for " + fam);
                x.types[fam] = m[3];
            } else {
                x.helps[fam] = m[3];
            }
            continue;
        }
        if (!std::regex_match(line, m, sample_re)) {
            x.errors.push_back("malformed sample line: " + line);
            continue;
        }
        auto name = m[1].str();
        auto series = name + m[2].str();
        auto fam = family_of(x, name);
        if (fam.empty()) x.errors.push_back("sample without a preceding TYPE: " + line);
        families_with_samples.insert(fam.empty() ? name : fam);
        double v = 0;
        auto const& text = m[4].str();
        if (text == "+Inf") v = INFINITY;
        else if (text == "-Inf") v = -INFINITY;
        else if (text == "NaN") v = NAN;
        else {
            try {
                std::size_t used = 0;
                v = std::stod(text, &used);
                if (used != text.size()) throw std::invalid_argument(text);
            } catch (std::exception const&) {
                x.errors.push_back("bad value: " + line);
                continue;
            }
        }
        if (x.samples.count(series)) x.errors.push_back("duplicate series: " + series);
        x.samples[series] = v;
        x.order.push_back(series);
    }
    return x;
}

exposition scrape_all(std::uint16_t port) {
    auto r = http_get(port, "/metrics", {}, in(3s));
    if (r.status() != 200) throw std::runtime_error("/metrics answered " + r.dump());
    return parse_exposition(r.body);
}

std::string const prefix = "sse_gateway_";
std::string series(std::string const& name, std::string const& label = {}, std::string const& value = {}) {
    auto s = prefix + name;
    if (!label.empty()) s += "{" + label + "=\"" + value + "\"}";
    return s;
}

class metrics_test : public gateway_test {
protected:
    // Channels the gateway's subscriber connection holds, as Redis sees it (sub + psub of pubsub clients).
    long long redis_side_subscriptions() {
        auto r = redis().command({"CLIENT", "LIST", "TYPE", "pubsub"});
        std::string text(r->str, r->len);
        long long total = 0;
        std::smatch m;
        static std::regex const re(R"( (p?sub)=([0-9]+))");
        for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
            total += std::stoll((*it)[2].str());
        return total;
    }
    // Polls /metrics until `pred(x)` holds (values are updated asynchronously, e.g. on a worker after the
    // bytes left); returns the last scrape.
    template <class Pred>
    exposition settle(std::uint16_t port, Pred&& pred, deadline d = in(3s)) {
        exposition x;
        poll_until(d, [&] {
            x = scrape_all(port);
            return pred(x);
        }, 20ms);
        return x;
    }
};

TEST_F(metrics_test, values_match_the_traffic_made) {
    auto& gw = start_gateway({"--max-conns-per-user", "3", "--max-queued-bytes", "65536"});
    auto const port = gw.port();
    auto user = unique("u");
    auto d1 = unique("d1");
    auto d2 = unique("d2");
    auto key = new_user(user, {d1, d2});
    auto other = unique("other");
    auto other_dev = unique("od");
    new_user(other, {other_dev});

    // ---- A fresh instance: everything at zero, the types as the contract names them.
    auto x0 = scrape_all(port);
    EXPECT_TRUE(x0.errors.empty()) << ::testing::PrintToString(x0.errors);
    std::map<std::string, std::string> const want_types{
        {"connections", "gauge"},
        {"connections_opened_total", "counter"},
        {"connections_rejected_total", "counter"},
        {"events_received_total", "counter"},
        {"events_delivered_total", "counter"},
        {"events_replayed_total", "counter"},
        {"events_dropped_total", "counter"},
        {"disconnects_total", "counter"},
        {"redis_connected", "gauge"},
        {"redis_reconnects_total", "counter"},
        {"redis_subscriptions", "gauge"},
        {"delivery_lag_seconds", "histogram"},
    };
    for (auto const& [name, type] : want_types) {
        auto it = x0.types.find(prefix + name);
        if (it == x0.types.end()) {
            ADD_FAILURE() << "no # TYPE line for " << prefix << name;
            continue;
        }
        EXPECT_EQ(it->second, type) << prefix << name;
        EXPECT_TRUE(x0.helps.count(prefix + name)) << "no # HELP line for " << prefix << name;
    }
    std::vector<std::string> const reject_reasons{"unauthorized", "forbidden",   "not_found",
                                                  "too_many",     "unavailable", "bad_request"};
    std::vector<std::string> const disconnect_reasons{"client", "idle", "slow", "revoked", "shutdown"};
    for (auto const& r : reject_reasons)
        EXPECT_EQ(x0.get(series("connections_rejected_total", "reason", r)), 0.0) << r;
    for (auto const& r : disconnect_reasons) EXPECT_EQ(x0.get(series("disconnects_total", "reason", r)), 0.0) << r;
    EXPECT_EQ(x0.get(series("connections", "stream", "device")), 0.0);
    EXPECT_EQ(x0.get(series("connections", "stream", "all")), 0.0);
    EXPECT_EQ(x0.get(series("connections_opened_total")), 0.0);
    EXPECT_EQ(x0.get(series("events_received_total")), 0.0);
    EXPECT_EQ(x0.get(series("events_delivered_total")), 0.0);
    EXPECT_EQ(x0.get(series("redis_connected")), 1.0);
    EXPECT_EQ(x0.get(series("redis_subscriptions")), static_cast<double>(redis_side_subscriptions()));

    // ---- Refusals: 4 unauthorized, 1 forbidden, 2 not_found, 1 bad_request.
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    EXPECT_EQ(http_get(port, device_path(d1)).status(), 401);
    EXPECT_EQ(http_get(port, device_path(d1), bearer(random_key())).status(), 401);
    EXPECT_EQ(http_get(port, all_path(), bearer(new_key(user, {.revoked = true}))).status(), 401);
    EXPECT_EQ(http_get(port, device_path(d1), bearer(new_key(user, {.expires_at = now - 60}))).status(), 401);
    EXPECT_EQ(http_get(port, device_path(d1), bearer(new_key(user, {.scopes = "billing:read"}))).status(), 403);
    EXPECT_EQ(http_get(port, device_path(other_dev), bearer(key)).status(), 404);
    EXPECT_EQ(http_get(port, device_path(unique("nodev")), bearer(key)).status(), 404);
    auto bad_id = bearer(key);
    bad_id.emplace_back("Last-Event-ID", "abc");
    EXPECT_EQ(http_get(port, device_path(d1), bad_id).status(), 400);

    // ---- Streams: 2 on d1, 1 all-stream (the cap is 3), then two refused as too many (plain 429 and the
    // EventSource form, which is a refusal although its status is 200).
    auto s1 = open_stream(port, device_path(d1), bearer(key));
    auto s2 = open_stream(port, device_path(d1), bearer(key));
    auto a = open_stream(port, all_path(), bearer(key));
    EXPECT_EQ(http_get(port, device_path(d2), bearer(key)).status(), 429);
    {
        sse_client es(port, all_path(), bearer_es(key));
        EXPECT_TRUE(is_event_stream_refusal(es, "TOO_MANY_CONNECTIONS"));
    }
    auto x1 = scrape_all(port);
    EXPECT_EQ(x1.get(series("connections_rejected_total", "reason", "unauthorized")), 4.0);
    EXPECT_EQ(x1.get(series("connections_rejected_total", "reason", "forbidden")), 1.0);
    EXPECT_EQ(x1.get(series("connections_rejected_total", "reason", "not_found")), 2.0);
    EXPECT_EQ(x1.get(series("connections_rejected_total", "reason", "too_many")), 2.0);
    EXPECT_EQ(x1.get(series("connections_rejected_total", "reason", "unavailable")), 0.0);
    EXPECT_EQ(x1.get(series("connections_rejected_total", "reason", "bad_request")), 1.0);
    EXPECT_EQ(x1.get(series("connections_opened_total")), 3.0) << "3 streams opened (the refusals are not)";
    EXPECT_EQ(x1.get(series("connections", "stream", "device")), 2.0);
    EXPECT_EQ(x1.get(series("connections", "stream", "all")), 1.0);

    // ---- Traffic: 10 results of d1, 5 of d2. The gateway is subscribed to d1's channel and the user's
    // channel: it receives 10 + 15 messages and delivers 10 to each d1 stream and 15 to the all-stream.
    std::vector<std::string> batch1, batch2;
    for (int i = 0; i < 10; ++i) batch1.push_back(result_json(d1, i));
    for (int i = 0; i < 5; ++i) batch2.push_back(result_json(d2, i));
    auto ids1 = pub().publish_many(user, d1, batch1);
    auto ids2 = pub().publish_many(user, d2, batch2);
    for (int i = 0; i < 10; ++i) {
        ASSERT_EQ(next_event(*s1).id, ids1[i].device_id);
        ASSERT_EQ(next_event(*s2).id, ids1[i].device_id);
    }
    for (int i = 0; i < 15; ++i) next_event(*a);
    auto x2 = settle(port, [](exposition const& x) { return x.get(series("events_delivered_total")) == 35.0; });
    EXPECT_EQ(x2.get(series("events_received_total")), 25.0) << "10 on the device channel + 15 on the user channel";
    EXPECT_EQ(x2.get(series("events_delivered_total")), 35.0) << "10 x 2 device streams + 15 x 1 all-stream";
    EXPECT_EQ(x2.get(series("events_replayed_total")), 0.0);
    for (auto const& r : {"malformed", "no_subscribers", "duplicate"})
        EXPECT_EQ(x2.get(series("events_dropped_total", "reason", r)).value_or(0), 0.0) << r;
    auto lag_count = x2.get(series("delivery_lag_seconds_count"));
    EXPECT_TRUE(lag_count == 25.0 || lag_count == 35.0)
        << "one lag observation per message received (25) or per delivery (35); got "
        << (lag_count ? std::to_string(*lag_count) : "none");

    // ---- A client goes away, another resumes after d1's 5th result: 5 replayed, then live.
    s2->close();
    s2.reset();
    auto x3 = settle(port, [](exposition const& x) {
        return x.get(series("disconnects_total", "reason", "client")) == 1.0;
    });
    EXPECT_EQ(x3.get(series("disconnects_total", "reason", "client")), 1.0);
    EXPECT_EQ(x3.get(series("connections", "stream", "device")), 1.0);
    auto resume = bearer(key);
    resume.emplace_back("Last-Event-ID", ids1[4].device_id);
    auto s3 = open_stream(port, device_path(d1), resume);
    for (int i = 5; i < 10; ++i) ASSERT_EQ(next_event(*s3).id, ids1[i].device_id);
    auto live = pub().publish(user, d1, result_json(d1, 10));
    ASSERT_EQ(next_event(*s1).id, live.device_id);
    ASSERT_EQ(next_event(*s3).id, live.device_id);
    ASSERT_EQ(next_event(*a).id, live.user_id);
    auto x4 = settle(port, [](exposition const& x) {
        auto d = x.get(series("events_delivered_total")).value_or(0);
        return d == 38.0 || d == 43.0;
    });
    EXPECT_EQ(x4.get(series("events_replayed_total")), 5.0);
    EXPECT_EQ(x4.get(series("connections_opened_total")), 4.0);
    EXPECT_EQ(x4.get(series("events_received_total")), 27.0);
    auto delivered4 = x4.get(series("events_delivered_total")).value_or(-1);
    EXPECT_TRUE(delivered4 == 38.0 || delivered4 == 43.0)
        << "35 + 1 live x 3 streams (+ 5 replayed, if replays count as deliveries); got " << delivered4;

    // ---- Slow consumer: another user's stalled stream is cut, its reading neighbour is not.
    auto user_v = unique("v");
    auto dev_v = unique("dv");
    auto key_v = new_user(user_v, {dev_v});
    auto slow = std::make_unique<sse_client>(port, device_path(dev_v), bearer(key_v), in(5s), 4096);
    ASSERT_EQ(slow->status(), 200);
    stream_reader fast(open_stream(port, device_path(dev_v), bearer(key_v)), in(40s), "reading stream");
    publish_options o;
    o.user = user_v;
    o.devices = {dev_v};
    o.max_count = 3000;
    // Publishing is paced by the reading stream, so a sanitized gateway on a loaded machine publishes
    // slowly; the kernel's socket buffers take megabytes before the stalled stream's queue overflows.
    // The bounds are generous: the stream is cut within a second or two on an idle machine.
    o.max_time = 25s;
    o.maxlen = 1000;
    o.make = [](std::string const& device, int n) {
        return R"({"deviceId":")" + device + R"(","seq":)" + std::to_string(n) + R"(,"blob":")" +
               std::string(8000, 'x') + "\"}";
    };
    o.gate = [&](int n) { return static_cast<long>(n) - static_cast<long>(fast.count()) < 4; };
    flat_out_publisher p(redis_server_->endpoint(), std::move(o));
    bool was_cut = poll_until(in(30s), [&] {
        return p.finished() || scrape(port, series("disconnects_total", "reason", "slow")).value_or(0) >= 1;
    }, 50ms);
    p.stop();
    p.join();
    auto const n_v = static_cast<double>(p.acknowledged_results().size());
    ASSERT_GT(n_v, 0);
    fast.set_target(p.acknowledged_results().back().ids.device_id);
    fast.join();
    ASSERT_TRUE(fast.reached_target()) << fast.error();
    EXPECT_GE(fast.count(), p.acknowledged_results().size());
    EXPECT_LE(fast.count(), p.acknowledged_results().size() + static_cast<std::size_t>(p.failures()));
    EXPECT_TRUE(was_cut && scrape(port, series("disconnects_total", "reason", "slow")).value_or(0) >= 1)
        << "the stalled stream was not cut after " << n_v << " results of 8 KB";
    // A publish whose reply timed out (a loaded machine) may still have reached Redis: such results
    // are counted as received without being acknowledged, so they widen the bounds, never hide a loss.
    auto const lost_replies = static_cast<double>(p.failures());
    auto received_ok = [&](exposition const& x) {
        auto r = x.get(series("events_received_total")).value_or(-1);
        return r >= 27.0 + n_v && r <= 27.0 + n_v + lost_replies;
    };
    auto x5 = settle(port, [&](exposition const& x) {
        return received_ok(x) && x.get(series("connections", "stream", "device")) == 3.0;
    });
    EXPECT_EQ(x5.get(series("disconnects_total", "reason", "slow")), 1.0);
    EXPECT_TRUE(received_ok(x5)) << "received " << x5.get(series("events_received_total")).value_or(-1) << " for "
                                 << n_v << " acknowledged results (+ " << lost_replies
                                 << " unacknowledged) on the one subscribed channel; " << p.last_error();
    auto delivered5 = x5.get(series("events_delivered_total")).value_or(-1);
    EXPECT_GE(delivered5, delivered4 + n_v) << "the reading stream got " << n_v;
    EXPECT_LE(delivered5, delivered4 + 2 * (n_v + lost_replies))
        << "at most " << n_v << " more to the stalled one before its cut";
    EXPECT_EQ(x5.get(series("connections", "stream", "device")), 3.0) << "s1, s3 and the reading stream; slow gone";
    EXPECT_EQ(x5.get(series("connections_opened_total")), 6.0);

    // ---- Revocation ends the user's three open streams.
    publish_raw(redis(), "apikey:revoked", key_hash(key));
    EXPECT_TRUE(s1->wait_end(in(3s)));
    EXPECT_TRUE(s3->wait_end(in(3s)));
    EXPECT_TRUE(a->wait_end(in(3s)));
    // Settled once the revoked user's channels are unsubscribed on both sides: what stays is
    // apikey:revoked and the other user's device channel. (Gauge and Redis agree on 4 for a moment
    // before the UNSUBSCRIBEs; settling there raced them.)
    auto x6 = settle(port, [&](exposition const& x) {
        return x.get(series("disconnects_total", "reason", "revoked")) == 3.0 &&
               x.get(series("redis_subscriptions")) == 2.0 && redis_side_subscriptions() == 2;
    });
    EXPECT_EQ(x6.get(series("disconnects_total", "reason", "revoked")), 3.0);
    EXPECT_EQ(x6.get(series("disconnects_total", "reason", "client")), 1.0);
    EXPECT_EQ(x6.get(series("disconnects_total", "reason", "idle")), 0.0);
    EXPECT_EQ(x6.get(series("disconnects_total", "reason", "shutdown")), 0.0);
    EXPECT_EQ(x6.get(series("connections", "stream", "device")), 1.0) << "only the reading stream of the other user";
    EXPECT_EQ(x6.get(series("connections", "stream", "all")), 0.0);
    EXPECT_EQ(x6.get(series("redis_subscriptions")), static_cast<double>(redis_side_subscriptions()))
        << "the gauge disagrees with CLIENT LIST";
    EXPECT_EQ(x6.get(series("redis_connected")), 1.0);

    // ---- The whole final exposition: well-formed, histogram consistent, counters never went down.
    EXPECT_TRUE(x6.errors.empty()) << ::testing::PrintToString(x6.errors);
    std::vector<std::pair<double, double>> buckets;  // (le, cumulative count)
    for (auto const& s : x6.order) {
        static std::regex const le_re(R"re(^sse_gateway_delivery_lag_seconds_bucket\{le="([^"]+)"\}$)re");
        std::smatch m;
        if (!std::regex_match(s, m, le_re)) continue;
        buckets.emplace_back(m[1] == "+Inf" ? INFINITY : std::stod(m[1]), x6.samples.at(s));
    }
    ASSERT_GE(buckets.size(), 2u) << "the lag histogram has no buckets";
    for (std::size_t i = 1; i < buckets.size(); ++i) {
        EXPECT_LT(buckets[i - 1].first, buckets[i].first) << "bucket bounds out of order";
        EXPECT_LE(buckets[i - 1].second, buckets[i].second) << "buckets are not cumulative";
    }
    EXPECT_TRUE(std::isinf(buckets.back().first)) << "no le=\"+Inf\" bucket last";
    EXPECT_EQ(buckets.back().second, x6.get(series("delivery_lag_seconds_count")));
    EXPECT_GE(x6.get(series("delivery_lag_seconds_sum")).value_or(-1), 0.0);
    EXPECT_GT(x6.get(series("delivery_lag_seconds_count")).value_or(0), 0.0);
    for (auto const& [s, v] : x6.samples) {
        EXPECT_TRUE(std::isfinite(v)) << s;
        auto before = x2.get(s);
        auto fam = family_of(x6, s.substr(0, s.find('{')));
        auto t = x6.types.find(fam);
        if (before && t != x6.types.end() && t->second == "counter") {
            EXPECT_GE(v, *before) << "counter went down: " << s;
        }
    }
}

} // namespace
} // namespace ssegw::it

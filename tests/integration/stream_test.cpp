// The stream itself (docs/API.md): headers, first bytes, event format, routing of device and
// user channels, byte-for-byte data, multi-line data, bad channel messages, and a real `curl -N`.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

#include "common/redis/publish_script.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <unistd.h>

namespace ssegw::it {
namespace {

class stream : public gateway_test {};

TEST_F(stream, success_headers_and_retry_first) {
    auto& gw = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    for (auto const& path : {device_path(dev), all_path()}) {
        auto s = open_stream(gw.port(), path, bearer(key));
        EXPECT_TRUE(has_stream_headers(s->head()));
        EXPECT_TRUE(s->head().chunked()) << "HTTP/1.1 stream is expected to be chunked\n" << s->describe();
        EXPECT_EQ(s->body().substr(0, 13), "retry: 3000\n\n") << s->describe();
        EXPECT_EQ(s->retries().front(), 3000);
    }
}

TEST_F(stream, retry_ms_flag_sets_first_bytes) {
    auto& gw = start_gateway({"--retry-ms", "1234"});
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto s = open_stream(gw.port(), device_path(dev), bearer(key));
    EXPECT_EQ(s->body().substr(0, 13), "retry: 1234\n\n") << s->describe();
}

TEST_F(stream, http_1_0_client_gets_a_close_delimited_stream) {
    auto& gw = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    tcp_conn c(gw.port(), in(5s));
    c.send_all("GET " + device_path(dev) + " HTTP/1.0\r\nAuthorization: Bearer " + key + "\r\n\r\n", in(5s));
    std::string raw;
    char buf[4096];
    auto got_retry = [&] { return raw.find("\r\n\r\nretry: 3000\n\n") != std::string::npos; };
    while (!got_retry()) {
        long n = c.read_some(buf, sizeof buf, in(5s));
        ASSERT_GT(n, 0) << "stream ended or stalled; got: " << raw;
        raw.append(buf, static_cast<std::size_t>(n));
    }
    auto head = parse_response_head(raw.substr(0, raw.find("\r\n\r\n")));
    ASSERT_TRUE(head) << raw;
    EXPECT_FALSE(head->chunked()) << "chunked encoding sent to an HTTP/1.0 client\n" << raw;
    EXPECT_FALSE(head->header("Content-Length")) << raw;
    auto json = result_json(dev, 1);
    auto ids = pub().publish(user, dev, json);
    std::string want = "id: " + ids.device_id + "\nevent: analysis_result\ndata: " + json + "\n\n";
    while (raw.find(want) == std::string::npos) {
        long n = c.read_some(buf, sizeof buf, in(5s));
        ASSERT_GT(n, 0) << "no event; got: " << raw;
        raw.append(buf, static_cast<std::size_t>(n));
    }
}

TEST_F(stream, device_event_wire_format) {
    auto& gw = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto s = open_stream(gw.port(), device_path(dev), bearer(key));
    auto json = result_json(dev, 1);
    auto ids = pub().publish(user, dev, json);
    auto e = next_event(*s);
    EXPECT_EQ(e.id, ids.device_id);
    EXPECT_EQ(e.event, "analysis_result");
    EXPECT_EQ(e.data, json);
    std::string want = "retry: 3000\n\nid: " + ids.device_id + "\nevent: analysis_result\ndata: " + json + "\n\n";
    EXPECT_EQ(s->body(), want);
}

TEST_F(stream, device_and_all_streams_route_by_device_and_user) {
    auto& gw = start_gateway();
    auto u1 = unique("u1");
    auto u2 = unique("u2");
    auto d1 = unique("d1");
    auto d2 = unique("d2");
    auto d3 = unique("d3");
    auto k1 = new_user(u1, {d1, d2});
    auto k2 = new_user(u2, {d3});
    auto s_d1 = open_stream(gw.port(), device_path(d1), bearer(k1));
    auto s_all1 = open_stream(gw.port(), all_path(), bearer(k1));
    auto s_all2 = open_stream(gw.port(), all_path(), bearer(k2));

    auto p1 = pub().publish(u1, d1, result_json(d1, 1));
    auto p2 = pub().publish(u1, d2, result_json(d2, 2));
    auto p3 = pub().publish(u2, d3, result_json(d3, 3));
    auto p5 = pub().publish(u2, d3, result_json(d3, 5));
    auto p4 = pub().publish(u1, d1, result_json(d1, 4));  // last: marks the end for u1's streams

    // Device stream: only d1's results, with the device log's ids.
    auto e = next_event(*s_d1);
    EXPECT_EQ(e.id, p1.device_id);
    EXPECT_EQ(e.data, result_json(d1, 1));
    e = next_event(*s_d1);
    EXPECT_EQ(e.id, p4.device_id) << "d1's stream got another device's result: " << e.data;
    EXPECT_EQ(e.data, result_json(d1, 4));

    // All-stream of u1: d1 and d2 in order, with the user log's ids, nothing of u2.
    std::vector<std::pair<std::string, std::string>> want = {
        {p1.user_id, result_json(d1, 1)}, {p2.user_id, result_json(d2, 2)}, {p4.user_id, result_json(d1, 4)}};
    for (auto const& [id, data] : want) {
        e = next_event(*s_all1);
        EXPECT_EQ(e.id, id);
        EXPECT_EQ(e.data, data);
        EXPECT_EQ(e.event, "analysis_result");
    }
    // All-stream of u2: only d3.
    e = next_event(*s_all2);
    EXPECT_EQ(e.id, p3.user_id);
    EXPECT_EQ(e.data, result_json(d3, 3));
    e = next_event(*s_all2);
    EXPECT_EQ(e.id, p5.user_id);
    EXPECT_EQ(e.data, result_json(d3, 5));
    EXPECT_EQ(s_all2->buffered_events(), 0u);
    EXPECT_EQ(s_all1->buffered_events(), 0u);
    EXPECT_EQ(s_d1->buffered_events(), 0u);
}

TEST_F(stream, data_is_the_producers_json_byte_for_byte) {
    auto& gw = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto s_dev = open_stream(gw.port(), device_path(dev), bearer(key));
    auto s_all = open_stream(gw.port(), all_path() + "?access_token=" + key, {});
    std::vector<std::string> payloads = {
        R"({"z":1,"a":{"y":[1,2,{"b":null}],"x":"Zoë ✓"},"n":0.10,"e":1e3,"big":12345678901234567890,"neg":-0.0})",
        R"({"deviceId":")" + dev + R"(","s":"tab\there \"quoted\" back\\slash \u00e9 \/ \ud83d\ude00 \n","empty":{},"arr":[]})",
        R"({"spaced" :  [ 1 , 2 ] , "t":true,"f":false ,"nested":{ "k" : "v" }})",
        R"({"emoji":"📹🚶‍♀️","cjk":"即時串流","rtl":"שלום"})",
    };
    std::vector<log_ids> ids;
    for (auto const& p : payloads) ids.push_back(pub().publish(user, dev, p));
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        auto e = next_event(*s_dev);
        EXPECT_EQ(e.data, payloads[i]) << "payload #" << i << " changed on the device stream; raw: " << e.raw;
        EXPECT_EQ(e.id, ids[i].device_id);
        auto a = next_event(*s_all);
        EXPECT_EQ(a.data, payloads[i]) << "payload #" << i << " changed on the all-stream; raw: " << a.raw;
        EXPECT_EQ(a.id, ids[i].user_id);
    }
}

TEST_F(stream, multi_line_json_round_trips_through_data_lines) {
    // sse-publish compacts a multi-line document (its documented choice), so this is a producer in another
    // language: the shipped Lua script with the result embedded as given, newlines included.
    auto& gw = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto s = open_stream(gw.port(), device_path(dev), bearer(key));
    auto all = open_stream(gw.port(), all_path(), bearer(key));
    ASSERT_TRUE(wait_subscribed("analysis:device:" + dev));
    ASSERT_TRUE(wait_subscribed("analysis:user:" + user));
    std::string pretty = "{\n  \"deviceId\": \"" + dev + "\",\n  \"detections\": [\n    {\"type\": \"person\"}\n  ]\n}";
    auto id1 = redis::publish_result(redis(), dev, user, pretty);
    auto e = next_event(*s);
    EXPECT_EQ(e.data, pretty) << "raw event:\n" << e.raw;
    EXPECT_EQ(e.id, id1.device_id);
    EXPECT_EQ(e.event, "analysis_result");
    auto a = next_event(*all);
    EXPECT_EQ(a.data, pretty) << "raw event:\n" << a.raw;
    EXPECT_EQ(a.id, id1.user_id);
    // CRLF between tokens: WHATWG readers split on CR, LF and CRLF alike, so the data must still parse to the
    // same JSON and the stream must stay in sync (no stray field from a bare CR).
    std::string crlf = "{\r\n  \"a\": 1,\r\n  \"b\": \"x\"\r\n}";
    redis::publish_result(redis(), dev, user, crlf);
    e = next_event(*s);
    EXPECT_EQ(nlohmann::json::parse(e.data, nullptr, false), nlohmann::json::parse(crlf)) << e.raw;
    EXPECT_EQ(e.event, "analysis_result");
    std::string trailing = "{\"a\":1}\n";
    auto id3 = redis::publish_result(redis(), dev, user, trailing);
    e = next_event(*s);
    EXPECT_EQ(nlohmann::json::parse(e.data, nullptr, false), nlohmann::json::parse(trailing)) << e.raw;
    EXPECT_EQ(e.id, id3.device_id);
    // And the next ordinary event is intact.
    auto id4 = pub().publish(user, dev, result_json(dev, 4));
    e = next_event(*s);
    EXPECT_EQ(e.data, result_json(dev, 4));
    EXPECT_EQ(e.id, id4.device_id);
}

TEST_F(stream, malformed_channel_messages_do_not_disturb_the_stream) {
    auto& gw = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto s_dev = open_stream(gw.port(), device_path(dev), bearer(key));
    auto s_all = open_stream(gw.port(), all_path(), bearer(key));
    // Junk must reach the gateway to test anything: wait until it is subscribed.
    ASSERT_TRUE(wait_subscribed("analysis:device:" + dev));
    ASSERT_TRUE(wait_subscribed("analysis:user:" + user));
    for (auto const& ch : {"analysis:device:" + dev, "analysis:user:" + user}) {
        for (std::string junk : {std::string("not json"), std::string(R"({"event":"analysis_result","data":{"a":1}})"),
                                 std::string(R"({"id":42,"event":"analysis_result","data":{"a":1}})"),
                                 std::string(R"({"id":"1-0\n\ndata: injected","event":"analysis_result","data":{}})"),
                                 std::string(R"({"id":"1-0","event":"analysis_result"})"), std::string("{"),
                                 std::string(""), std::string("\0\xff\xfe", 3), std::string("[1,2,3]")})
            EXPECT_GE(publish_raw(redis(), ch, junk), 1) << "nobody subscribed to " << ch;
    }
    auto json = result_json(dev, 1);
    auto ids = pub().publish(user, dev, json);
    auto e = next_event(*s_dev);
    EXPECT_EQ(e.id, ids.device_id) << "a malformed message produced an event: " << e.raw;
    EXPECT_EQ(e.data, json);
    auto a = next_event(*s_all);
    EXPECT_EQ(a.id, ids.user_id) << "a malformed message produced an event: " << a.raw;
    EXPECT_EQ(a.data, json);
    EXPECT_EQ(s_dev->body().find("injected"), std::string::npos) << s_dev->describe();
    EXPECT_FALSE(s_dev->ended());
    EXPECT_FALSE(s_all->ended());
    EXPECT_TRUE(gw.proc().running());
}

TEST_F(stream, event_published_right_after_the_head_arrives_is_delivered) {
    // A client that has its 200 and `retry:` is streaming: a result published from then on must reach it.
    // Several rounds, fresh channel each, to catch a window between the head and the SUBSCRIBE.
    auto& gw = start_gateway();
    auto user = unique("u");
    auto key = new_key(user);
    int missed = 0;
    std::string first_miss;
    int const rounds = 25;
    for (int round = 0; round < rounds && missed < 3; ++round) {
        auto dev = unique("d");
        add_device(redis(), user, dev);
        auto s = open_stream(gw.port(), device_path(dev), bearer(key));
        auto ids = redis::publish_result(redis(), dev, user, result_json(dev, round));
        auto e = s->read_event(in(1s));
        if (!e || e->id != ids.device_id) {
            if (missed++ == 0) {
                first_miss = "round " + std::to_string(round) + ": published " + ids.device_id +
                             " right after the head; stream got:\n" + s->describe();
            }
        }
    }
    EXPECT_EQ(missed, 0) << missed << " first events lost (stopping at 3, of " << rounds << " rounds); " << first_miss;
}

TEST_F(stream, curl_n_receives_events) {
    auto& gw = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    process_options o;
    o.path = "/usr/bin/curl";
    if (::access(o.path.c_str(), X_OK) != 0) GTEST_SKIP() << "no curl";
    o.args = {"-N", "-s", "-H", "Authorization: Bearer " + key,
              "http://127.0.0.1:" + std::to_string(gw.port()) + device_path(dev)};
    o.stdout_file = dir_->file("curl.out").string();
    o.stderr_file = dir_->file("curl.err").string();
    process curl(o);
    ASSERT_TRUE(poll_until(in(5s), [&] { return read_file(o.stdout_file).find("retry: 3000") != std::string::npos; }))
        << "curl got: '" << read_file(o.stdout_file) << "' " << read_file(o.stderr_file);
    auto json = result_json(dev, 7);
    auto ids = pub().publish(user, dev, json);
    std::string want = "id: " + ids.device_id + "\nevent: analysis_result\ndata: " + json + "\n\n";
    EXPECT_TRUE(poll_until(in(5s), [&] { return read_file(o.stdout_file).find(want) != std::string::npos; }))
        << "curl got: '" << read_file(o.stdout_file) << "'";
    EXPECT_TRUE(curl.running()) << describe_status(curl.status());
    curl.kill_now();
}

} // namespace
} // namespace ssegw::it

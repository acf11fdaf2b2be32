// Publishing webhook events (sse-publish --event) against a real redis-server: the entry and its
// fields, stdin lines, every refusal (exit 2, nothing added), the 24 h duplicate guard, the backlog
// cap, Redis down, and the shipped Lua script run directly as another language's producer would.
#include "common/ids/uuid.hpp"
#include "common/redis/keys.hpp"
#include "tests/support/fixture.hpp"
#include "webhooks/events/publish_event_script.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace ssegw::it {
namespace {

namespace keys = redis::keys;

struct run_result {
    int code = -1;  // exit code; -1 if it did not exit
    std::string out, err;
};

struct entry {
    std::string id;
    std::vector<std::pair<std::string, std::string>> fields;
    std::string field(std::string const& name) const {
        for (auto const& [k, v] : fields)
            if (k == name) return v;
        return "(no field " + name + ")";
    }
};

std::string reply_str(redisReply const* r) { return std::string(r->str, r->len); }

bool is_lower_uuid(std::string const& s) {
    auto n = ssegw::ids::normalize_uuid(s);
    return n && *n == s;
}

class webhook_publish : public gateway_test {
protected:
    run_result publish(std::vector<std::string> args, std::string const& stdin_data = {}) {
        auto const tag = "pub-" + std::to_string(++runs_);
        process_options o;
        o.path = publish_binary();
        o.args = {"--redis", redis_server_->url()};
        o.args.insert(o.args.end(), args.begin(), args.end());
        o.stdout_file = dir_->file(tag + ".out").string();
        o.stderr_file = dir_->file(tag + ".err").string();
        if (!stdin_data.empty()) {
            o.stdin_file = dir_->file(tag + ".in").string();
            write_file(o.stdin_file, stdin_data);
        }
        process p(o);
        auto const st = p.wait_until(in(10s));
        run_result r;
        r.out = read_file(o.stdout_file);
        r.err = read_file(o.stderr_file);
        if (st && WIFEXITED(*st)) r.code = WEXITSTATUS(*st);
        return r;
    }

    // An event with the flags every test needs; `data` as the argument.
    run_result event(std::string const& user, std::string const& data, std::vector<std::string> more = {}) {
        std::vector<std::string> args{"--event", "alert_triggered", "--user", user};
        args.insert(args.end(), more.begin(), more.end());
        args.push_back(data);
        return publish(std::move(args));
    }

    long long xlen() { return redis().command({"XLEN", keys::webhook_events})->integer; }

    std::vector<entry> entries() {
        std::vector<entry> out;
        auto r = redis().command({"XRANGE", keys::webhook_events, "-", "+"});
        for (std::size_t i = 0; i < r->elements; ++i) {
            auto const* e = r->element[i];
            entry x{reply_str(e->element[0]), {}};
            for (std::size_t f = 0; f + 1 < e->element[1]->elements; f += 2)
                x.fields.emplace_back(reply_str(e->element[1]->element[f]), reply_str(e->element[1]->element[f + 1]));
            out.push_back(std::move(x));
        }
        return out;
    }

    long long guard_keys() { return static_cast<long long>(redis().command({"KEYS", "webhook:evtid:*"})->elements); }

    // The script through EVAL, as a producer in another language runs it; error replies returned.
    redis::reply_ptr eval(std::string const& event_id, std::string const& type, std::string const& user,
                          std::string const& data, std::string const& cap = "1000", std::string const& ts = "") {
        redis().append({"EVAL", std::string(webhooks::publish_event_script_source()), "2",
                        std::string(keys::webhook_events), keys::webhook_event_id(user, event_id), event_id, type, user,
                        "", "", ts, data, cap});
        return redis().get_reply();
    }

    int runs_ = 0;
};

std::string describe(run_result const& r) {
    return "exit " + std::to_string(r.code) + "; stdout: '" + r.out + "' stderr: '" + r.err + "'";
}

TEST_F(webhook_publish, prints_the_id_and_adds_one_entry_with_the_seven_fields_in_order) {
    auto const r = event("u1", R"({"deviceId":"cam-1", "sceneId":"scene-1", "n":1.50, "x":1E2, "2":"b", "1":"a"})",
                         {"--timestamp", "2026-01-29T18:30:00.250+08:00"});
    ASSERT_EQ(r.code, 0) << describe(r);
    EXPECT_EQ(r.err, "");
    ASSERT_TRUE(r.out.ends_with("\n")) << r.out;
    auto const id = r.out.substr(0, r.out.size() - 1);
    EXPECT_TRUE(is_lower_uuid(id)) << id;
    EXPECT_EQ(id[14], '7') << "a made event id is a UUIDv7: " << id;

    auto const es = entries();
    ASSERT_EQ(es.size(), 1u);
    std::vector<std::pair<std::string, std::string>> const want{
        {"eventId", id},       {"type", "alert_triggered"}, {"userId", "u1"},
        {"deviceId", "cam-1"}, {"sceneId", "scene-1"},      {"ts", "1769682600250"},
        {"data", R"({"1":"a","2":"b","deviceId":"cam-1","sceneId":"scene-1","n":1.5,"x":100})"}};
    EXPECT_EQ(es[0].fields, want);
    auto const guard = redis().command({"GET", keys::webhook_event_id("u1", id)});
    ASSERT_EQ(guard->type, REDIS_REPLY_STRING);
    EXPECT_EQ(reply_str(guard.get()), es[0].id);
}

TEST_F(webhook_publish, without_timestamp_the_time_is_redis_time_and_flags_name_the_ids) {
    auto now_ms = [&] {
        auto t = redis().command({"TIME"});
        return std::stoll(reply_str(t->element[0])) * 1000 + std::stoll(reply_str(t->element[1])) / 1000;
    };
    auto const before = now_ms();
    auto const r = event("u1", R"({"deviceId":"cam-1","sceneId":"scene-1"})", {"--device", "cam-9", "--scene", ""});
    auto const after = now_ms();
    ASSERT_EQ(r.code, 0) << describe(r);
    auto const es = entries();
    ASSERT_EQ(es.size(), 1u);
    auto const ts = std::stoll(es[0].field("ts"));
    EXPECT_GE(ts, before);
    EXPECT_LE(ts, after);
    EXPECT_EQ(es[0].field("deviceId"), "cam-9");
    EXPECT_EQ(es[0].field("sceneId"), "");
}

TEST_F(webhook_publish, stdin_lines_are_one_event_each_and_a_bad_line_is_skipped_with_exit_2) {
    auto r = publish({"--event", "device_offline", "--user", "u1"},
                     "{\"deviceId\":\"cam-1\"}\n\n{\"deviceId\":\"cam-2\"}\r\n{\"seq\":3}");
    ASSERT_EQ(r.code, 0) << describe(r);
    auto es = entries();
    ASSERT_EQ(es.size(), 3u);
    EXPECT_EQ(r.out, es[0].field("eventId") + "\n" + es[1].field("eventId") + "\n" + es[2].field("eventId") + "\n");
    EXPECT_EQ(es[0].field("deviceId"), "cam-1");
    EXPECT_EQ(es[1].field("deviceId"), "cam-2");
    EXPECT_EQ(es[2].field("data"), R"({"seq":3})");

    r = publish({"--event", "device_online", "--user", "u1"}, "{\"a\":1}\n[1]\n{\"b\":2}\n");
    EXPECT_EQ(r.code, 2) << describe(r);
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;
    EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
    EXPECT_EQ(xlen(), 5);
}

TEST_F(webhook_publish, every_refusal_exits_2_with_one_line_and_adds_nothing) {
    std::string const deep = R"({"a":)" + std::string(64, '[') + std::string(64, ']') + "}";
    std::string const big = R"({"a":")" + std::string(65536, 'x') + R"("})";
    std::vector<std::vector<std::string>> const cases{
        {"--event", "webhook_test", "--user", "u1", "{}"},
        {"--event", "no_such_type", "--user", "u1", "{}"},
        {"--event", "alert_triggered", "--user", "a b", "{}"},
        {"--event", "alert_triggered", "--user", "", "{}"},
        {"--event", "alert_triggered", "--user", "u1", "--device", "cam\t1", "{}"},
        {"--event", "alert_triggered", "--user", "u1", "--scene", std::string(201, 's'), "{}"},
        {"--event", "alert_triggered", "--user", "u1", R"({"deviceId":"cam 1"})"},
        {"--event", "alert_triggered", "--user", "u1", "--event-id", "not-a-uuid", "{}"},
        {"--event", "alert_triggered", "--user", "u1", "--timestamp", "2026-01-29T10:30:00", "{}"},
        {"--event", "alert_triggered", "--user", "u1", "[1,2]"},
        {"--event", "alert_triggered", "--user", "u1", "not json"},
        {"--event", "alert_triggered", "--user", "u1", big},
        {"--event", "alert_triggered", "--user", "u1", "{\"a\":\"\xc3\x28\"}"},
        {"--event", "alert_triggered", "--user", "u1", R"({"a":"\ud83d"})"},
        {"--event", "alert_triggered", "--user", "u1", R"({"a":1,"a":1})"},
        {"--event", "alert_triggered", "--user", "u1", deep},
        {"--event", "alert_triggered", "--user", "u1", R"({"a":2e308})"},
        {"--event", "alert_triggered", "--user", "u1", "--maxlen", "10", "{}"},
        {"--event", "alert_triggered", "--user", "u1", "--demo"},
        {"--event", "alert_triggered", "{}"},
        {"--event", "alert_triggered", "--user", "u1", "{}", "{}"},
        {"--event", "alert_triggered", "--user", "u1", "--max-backlog", "0", "{}"},
        {"--user", "u1", "--event-id", "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40", R"({"deviceId":"cam-1"})"},
    };
    for (auto const& args : cases) {
        auto const r = publish(args);
        std::string what;
        for (auto const& a : args) what += a.substr(0, 40) + " ";
        EXPECT_EQ(r.code, 2) << what << describe(r).substr(0, 400);
        EXPECT_EQ(r.out, "") << what;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << r.err.substr(0, 400);
        EXPECT_TRUE(r.err.starts_with("sse-publish: ")) << what << r.err.substr(0, 400);
    }
    EXPECT_EQ(xlen(), 0);
    EXPECT_EQ(guard_keys(), 0);
}

TEST_F(webhook_publish, the_same_users_same_event_id_within_24_h_adds_nothing) {
    std::vector<std::string> const id_flag{"--event-id", "4F9B2C3E-8A1D-4E6F-9B7A-2C5D8E1F3A40"};
    std::string const id = "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40";
    auto const first = event("u1", R"({"n":1})", id_flag);
    ASSERT_EQ(first.code, 0) << describe(first);
    EXPECT_EQ(first.out, id + "\n");
    auto const again = event("u1", R"({"n":2})", id_flag);
    EXPECT_EQ(again.code, 0) << describe(again);
    EXPECT_EQ(again.out, id + "\n");
    EXPECT_NE(again.err.find("duplicate"), std::string::npos) << again.err;
    EXPECT_EQ(xlen(), 1);
    EXPECT_EQ(entries().at(0).field("data"), R"({"n":1})");
    auto const ttl = redis().command({"TTL", keys::webhook_event_id("u1", id)})->integer;
    EXPECT_LE(ttl, 86400);
    EXPECT_GT(ttl, 86000);

    auto const other = event("u2", R"({"n":3})", id_flag);  // another user: its own event
    EXPECT_EQ(other.code, 0) << describe(other);
    EXPECT_EQ(other.out, id + "\n");
    EXPECT_EQ(other.err, "");
    EXPECT_EQ(xlen(), 2);
}

TEST_F(webhook_publish, a_full_backlog_refuses_with_exit_1_and_drops_nothing) {
    for (int i = 0; i < 2; ++i) {
        auto const r = event("u1", "{}", {"--max-backlog", "2"});
        ASSERT_EQ(r.code, 0) << describe(r);
    }
    auto const full = event("u1", "{}", {"--max-backlog", "2"});
    EXPECT_EQ(full.code, 1) << describe(full);
    EXPECT_EQ(full.out, "");
    EXPECT_NE(full.err.find("BACKLOG_FULL"), std::string::npos) << full.err;
    EXPECT_EQ(xlen(), 2);
    EXPECT_EQ(guard_keys(), 2);

    // A duplicate is answered as such even at the cap: it adds nothing either way.
    auto const known = entries().at(0).field("eventId");
    auto const dup = event("u1", "{}", {"--max-backlog", "2", "--event-id", known});
    EXPECT_EQ(dup.code, 0) << describe(dup);
    EXPECT_EQ(dup.out, known + "\n");
    // Stdin stops at the cap: lines after it are not tried.
    auto const lines = publish({"--event", "alert_triggered", "--user", "u1", "--max-backlog", "3"}, "{}\n{}\n{}\n");
    EXPECT_EQ(lines.code, 1) << describe(lines);
    EXPECT_EQ(std::count(lines.out.begin(), lines.out.end(), '\n'), 1) << lines.out;
    EXPECT_EQ(xlen(), 3);
}

TEST_F(webhook_publish, redis_down_exits_1) {
    redis_client_.reset();
    redis_server_->stop();
    auto const r = event("u1", "{}");
    EXPECT_EQ(r.code, 1) << describe(r);
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(r.err.empty());
}

TEST_F(webhook_publish, the_printed_script_runs_with_eval) {
    auto const printed = publish({"--print-event-script"});
    ASSERT_EQ(printed.code, 0) << describe(printed);
    EXPECT_EQ(printed.out, webhooks::publish_event_script_source());
    std::string const id = "01890a5d-ac96-774b-bcce-b302099a8057";

    auto r = eval(id, "node_offline", "u1", R"({"nodeId":"n1"})", "1000", "1769682600000");
    ASSERT_EQ(r->type, REDIS_REPLY_ARRAY) << (r->type == REDIS_REPLY_ERROR ? reply_str(r.get()) : "");
    ASSERT_EQ(r->elements, 2u);
    auto const entry_id = reply_str(r->element[0]);
    EXPECT_EQ(r->element[1]->integer, 1);
    auto const es = entries();
    ASSERT_EQ(es.size(), 1u);
    EXPECT_EQ(es[0].id, entry_id);
    EXPECT_EQ(es[0].field("ts"), "1769682600000");
    EXPECT_EQ(es[0].field("data"), R"({"nodeId":"n1"})");

    r = eval(id, "node_offline", "u1", R"({"nodeId":"n2"})");
    ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
    EXPECT_EQ(reply_str(r->element[0]), entry_id);
    EXPECT_EQ(r->element[1]->integer, 0);

    std::string const other = "01890a5d-ac96-774b-bcce-b302099a8058";
    auto refused = [&](redis::reply_ptr const& reply) {
        return reply->type == REDIS_REPLY_ERROR ? reply_str(reply.get()) : std::string("(not an error)");
    };
    EXPECT_TRUE(refused(eval(other, "webhook_test", "u1", "{}")).starts_with("BAD_EVENT type"));
    EXPECT_TRUE(refused(eval(other, "bogus", "u1", "{}")).starts_with("BAD_EVENT type"));
    EXPECT_TRUE(refused(eval(other, "node_offline", "u1", "[1]")).starts_with("BAD_EVENT data"));
    EXPECT_TRUE(refused(eval(other, "node_offline", "u1", "not json")).starts_with("BAD_EVENT data"));
    EXPECT_TRUE(refused(eval(other, "node_offline", "u1", R"({"a":")" + std::string(65536, 'x') + R"("})"))
                    .starts_with("BAD_EVENT size"));
    EXPECT_TRUE(refused(eval("01890A5D-AC96-774B-BCCE-B302099A8058", "node_offline", "u1", "{}"))
                    .starts_with("BAD_EVENT event id"));
    EXPECT_TRUE(refused(eval(other, "node_offline", "u 1", "{}")).starts_with("BAD_EVENT userId"));
    EXPECT_TRUE(refused(eval(other, "node_offline", "u1", "{}", "1000", "soon")).starts_with("BAD_EVENT ts"));
    EXPECT_TRUE(refused(eval(other, "node_offline", "u1", "{}", "0")).starts_with("BAD_EVENT backlog cap"));
    EXPECT_EQ(refused(eval(other, "node_offline", "u1", "{}", "1")), "BACKLOG_FULL");
    EXPECT_EQ(xlen(), 1);
    EXPECT_EQ(guard_keys(), 1);
}

} // namespace
} // namespace ssegw::it

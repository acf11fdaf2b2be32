// What the tests of the webhook engine's Redis steps share: the user's webhook written by the
// management API's scripts, events published with the real publish script and read through the
// consumer group, and the plan, claim and complete steps run as the worker runs them.
#pragma once

#include "common/ids/uuid.hpp"
#include "common/redis/keys.hpp"
#include "common/redis/lua_script.hpp"
#include "common/redis/value.hpp"
#include "tests/support/fixture.hpp"
#include "webhooks/api/webhook_scripts.hpp"
#include "webhooks/engine/engine_scripts.hpp"
#include "webhooks/events/publish_event_script.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ssegw::it {
namespace engine_fixture {

namespace keys = redis::keys;
namespace wh = webhooks;
using strings = std::vector<std::string>;

struct stream_entry {
    std::string id;
    wh::hash_fields fields;
};

inline std::string str(redisReply const* r) { return r && r->str ? std::string(r->str, r->len) : std::string(); }

/// The next entry of webhook:events for `consumer` of the workers' group, as a worker reads it
/// (XREADGROUP COUNT 1); nullopt if there is none. Any connection, any thread.
inline std::optional<stream_entry> read_entry(redis::sync_client& c, std::string const& consumer) {
    auto r = c.command({"XREADGROUP", "GROUP", keys::webhook_group, consumer, "COUNT", "1", "STREAMS",
                        keys::webhook_events, ">"});
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 1) return std::nullopt;
    auto const* entry = r->element[0]->element[1]->element[0];
    stream_entry e;
    e.id = str(entry->element[0]);
    for (std::size_t i = 0; i + 1 < entry->element[1]->elements; i += 2)
        e.fields.emplace_back(str(entry->element[1]->element[i]), str(entry->element[1]->element[i + 1]));
    return e;
}

inline std::int64_t to_ms(std::string const& s) { return s.empty() ? -1 : std::stoll(s); }

// PATCH bodies of one member each.
inline wh::webhook_changes enabled(bool on) {
    wh::webhook_changes c;
    c.enabled = on;
    return c;
}
inline wh::webhook_changes subscribed(std::string types) {
    wh::webhook_changes c;
    c.subscribed_types = std::move(types);
    return c;
}
inline wh::webhook_changes filtered_by(std::string filter) {
    wh::webhook_changes c;
    c.filter = std::move(filter);
    return c;
}
inline wh::webhook_changes max_retries(int n) {
    wh::webhook_changes c;
    c.max_retries = n;
    return c;
}
inline wh::webhook_changes moved_to(std::string url) {
    wh::webhook_changes c;
    c.url = std::move(url);
    return c;
}

class webhook_engine_fixture : public gateway_test {
protected:
    void SetUp() override {
        gateway_test::SetUp();
        user_ = unique("u");
        redis().command({"XGROUP", "CREATE", keys::webhook_events, keys::webhook_group, "0", "MKSTREAM"});
    }

    redis::value run(wh::engine_step step, strings const& command) {
        auto r = redis::evalsha_or_load(redis(), wh::engine_script_source(step), command);
        auto v = redis::copy_of(r.get());
        EXPECT_FALSE(v.is_error()) << v.str;
        return v;
    }

    // The user's webhook, made by the management API's create script; returns its id.
    std::string create_webhook(wh::webhook_changes c = {}) {
        if (!c.url) c.url = "https://hooks.example.com/in";
        auto id = ids::make_uuid7();
        auto w = wh::creation_writes(c, id);
        w.set.emplace_back("secret");
        w.set.emplace_back("v1.test.sealed-secret");
        auto r = redis().command(wh::scripts::create(user_, w));
        EXPECT_EQ(r->type, REDIS_REPLY_ARRAY);
        return id;
    }

    void api_update(wh::webhook_changes const& c) {
        auto r = redis().command(wh::scripts::update(user_, wh::writes_of(c), c.enabled));
        EXPECT_EQ(r->type, REDIS_REPLY_ARRAY);
    }

    // Publishes an event with the publish script and reads it through the group, as a worker does.
    stream_entry publish(std::string const& device = "cam-1", std::string const& scene = "",
                         std::string const& data = "{}", std::string const& type = "alert_triggered") {
        auto out = wh::publish_event(redis(), {ids::make_uuid7(), type, user_, device, scene, "", data}, 1000000);
        EXPECT_EQ(out.status, wh::publish_status::added) << out.error;
        return read_one();
    }

    stream_entry read_one() {
        auto e = read_entry(redis(), "worker-1");
        if (!e) ADD_FAILURE() << "no entry to read";
        return e.value_or(stream_entry{});
    }

    wh::plan_result plan(stream_entry const& e, wh::plan_ids const& ids = wh::new_plan_ids(), bool claimed = true) {
        auto event = wh::read_event(e.fields);
        auto* good = std::get_if<wh::event_entry>(&event);
        auto command =
            good ? wh::plan_command(e.id, *good, ids, limits_, claimed) : wh::plan_malformed_command(e.id, user_);
        auto r = wh::read_plan_reply(run(wh::engine_step::plan, command));
        EXPECT_TRUE(r) << "not a plan reply";
        return r.value_or(wh::plan_result{});
    }

    // Plans a new event that must be planned; its send job.
    wh::send_job planned(std::string const& device = "cam-1", std::string const& scene = "") {
        auto r = plan(publish(device, scene));
        EXPECT_EQ(r.status, wh::plan_status::planned) << r.drop_reason;
        return r.job;
    }

    wh::claim_result claim(std::size_t n = 10, std::string const& base = "claim", wh::claim_scope const& scope = {}) {
        auto r = wh::read_claim_reply(run(wh::engine_step::claim, wh::claim_command(n, base, limits_, scope)));
        EXPECT_TRUE(r) << "not a claim reply";
        return r.value_or(wh::claim_result{});
    }

    wh::complete_result complete(std::string const& record_id, std::string const& token, wh::completed_attempt const& result,
                                 std::int64_t delay_ms = 60000, std::string const& next_id = ids::make_uuid7()) {
        auto r = wh::read_complete_reply(
            run(wh::engine_step::complete, wh::complete_command(record_id, token, result, delay_ms, next_id, limits_)));
        EXPECT_TRUE(r) << "not a complete reply";
        return r.value_or(wh::complete_result{});
    }

    static wh::completed_attempt ok() { return {true, 200, 12, std::string("fine"), std::nullopt}; }
    static wh::completed_attempt failed() { return {false, 503, 30, std::string(""), std::string("http_status: 503")}; }

    wh::hash_fields hash(std::string const& key) { return redis::copy_of(redis().command({"HGETALL", key}).get()).pairs(); }
    std::string field(std::string const& key, std::string const& name) {
        return str(redis().command({"HGET", key, name}).get());
    }
    bool has_field(std::string const& key, std::string const& name) {
        return redis().command({"HEXISTS", key, name})->integer == 1;
    }
    std::string attempt(std::string const& id, std::string const& name) { return field(keys::webhook_attempt(id), name); }
    std::string webhook(std::string const& name) { return field(keys::webhook(user_), name); }
    std::optional<std::int64_t> due_score(std::string const& id) {
        auto r = redis().command({"ZSCORE", keys::webhook_due, id});
        if (r->type != REDIS_REPLY_STRING) return std::nullopt;
        return static_cast<std::int64_t>(std::stod(str(r.get())));
    }
    void make_due(std::string const& id) { redis().command({"ZADD", keys::webhook_due, "0", id}); }
    long long count_keys(std::string const& pattern) {
        return static_cast<long long>(redis().command({"KEYS", pattern})->elements);
    }
    long long pttl(std::string const& key) { return redis().command({"PTTL", key})->integer; }
    bool indexed(std::string const& key, std::string const& id) {
        return redis().command({"ZSCORE", key, id})->type == REDIS_REPLY_STRING;
    }
    std::int64_t redis_now() {
        auto r = redis().command({"TIME"});
        return std::stoll(str(r->element[0])) * 1000 + std::stoll(str(r->element[1])) / 1000;
    }

    // The 8 index keys of a record with these ids, for `status` and for any status.
    strings index_keys(std::string const& status, std::string const& device, std::string const& scene) {
        strings out;
        for (auto const& s : {status, std::string("*")})
            for (auto const& d : {keys::webhook_index_part(device), std::string("*")})
                for (auto const& c : {keys::webhook_index_part(scene), std::string("*")})
                    out.push_back(keys::webhook_index(user_, s, d, c));
        return out;
    }
    strings status_keys(std::string const& status, std::string const& device, std::string const& scene) {
        auto all = index_keys(status, device, scene);
        return strings(all.begin(), all.begin() + 4);
    }

    void expect_cancelled(std::string const& id, std::string const& why, std::string const& device = "cam-1") {
        auto key = keys::webhook_attempt(id);
        EXPECT_EQ(field(key, "status"), "failed") << id;
        EXPECT_EQ(field(key, "errorMessage"), "cancelled: webhook " + why);
        EXPECT_EQ(field(key, "isFinalAttempt"), "1");
        EXPECT_FALSE(has_field(key, "attemptedAt")) << "never started, or its result is never recorded";
        EXPECT_FALSE(has_field(key, "responseTimeMs"));
        EXPECT_FALSE(due_score(id));
        for (auto const& k : status_keys("pending", device, "")) EXPECT_FALSE(indexed(k, id)) << k;
        for (auto const& k : index_keys("failed", device, "")) EXPECT_TRUE(indexed(k, id)) << k;
    }

    wh::engine_limits limits_;
    std::string user_;
};

} // namespace engine_fixture
} // namespace ssegw::it

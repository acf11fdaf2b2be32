// Key revocation (docs/API.md): PUBLISH apikey:revoked <sha256> ends that key's streams on every
// instance within 1 s; other keys' streams carry on.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"

#include <nlohmann/json.hpp>

namespace ssegw::it {
namespace {

class revocation : public gateway_test {};

TEST_F(revocation, ends_every_stream_of_the_key_on_every_instance_within_1s) {
    auto& a = start_gateway();
    auto& b = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    add_device(redis(), user, dev);
    auto k1 = new_key(user);
    auto k2 = new_key(user);
    auto r1 = open_stream(a.port(), device_path(dev), bearer(k1));
    auto r2 = open_stream(b.port(), all_path(), bearer(k1));
    auto r3 = open_stream(b.port(), device_path(dev) + "?access_token=" + k1, {});
    auto k2a = open_stream(a.port(), all_path(), bearer(k2));
    auto k2b = open_stream(b.port(), device_path(dev), bearer(k2));

    ASSERT_GE(publish_raw(redis(), "apikey:revoked", key_hash(k1)), 1) << "no gateway subscribed to apikey:revoked";
    auto t0 = clock::now();
    for (auto* s : {r1.get(), r2.get(), r3.get()}) {
        EXPECT_TRUE(s->wait_end(t0 + 1500ms)) << "revoked stream still open after " << seconds_since(t0) << " s\n"
                                              << s->describe();
        // Whatever it got before the end is not a result; an `event: error` is allowed.
        while (auto e = s->read_event(in(0s))) EXPECT_EQ(e->event, "error") << e->raw;
    }
    // The other key's streams stay open and keep receiving.
    auto ids = pub().publish(user, dev, result_json(dev, 1));
    EXPECT_EQ(next_event(*k2a).id, ids.user_id);
    EXPECT_EQ(next_event(*k2b).id, ids.device_id);
    EXPECT_FALSE(k2a->ended());
    EXPECT_FALSE(k2b->ended());
}

TEST_F(revocation, revoked_error_event_if_any_is_well_formed) {
    auto& a = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    add_device(redis(), user, dev);
    auto k1 = new_key(user);
    auto s = open_stream(a.port(), device_path(dev), bearer(k1));
    publish_raw(redis(), "apikey:revoked", key_hash(k1));
    ASSERT_TRUE(s->wait_end(in(1500ms))) << s->describe();
    while (auto e = s->read_event(in(0s))) {
        EXPECT_EQ(e->event, "error");
        auto j = nlohmann::json::parse(e->data, nullptr, false);
        EXPECT_TRUE(!j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_object() &&
                    j["error"].contains("code") && j["error"]["code"].is_string())
            << "error event data is not the JSON error body: " << e->data;
    }
}

TEST_F(revocation, unrelated_revocation_message_changes_nothing) {
    auto& a = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto s = open_stream(a.port(), device_path(dev), bearer(key));
    publish_raw(redis(), "apikey:revoked", key_hash(random_key()));
    publish_raw(redis(), "apikey:revoked", "not a hash");
    publish_raw(redis(), "apikey:revoked", "");
    auto ids = pub().publish(user, dev, result_json(dev, 1));
    EXPECT_EQ(next_event(*s).id, ids.device_id);
    EXPECT_FALSE(s->ended());
}

TEST_F(revocation, marked_revoked_key_is_refused_afterwards) {
    auto& a = start_gateway();
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto s = open_stream(a.port(), device_path(dev), bearer(key));
    redis().command({"HSET", "apikey:" + key_hash(key), "revoked", "1"});
    publish_raw(redis(), "apikey:revoked", key_hash(key));
    EXPECT_TRUE(s->wait_end(in(1500ms))) << s->describe();
    auto r = http_get(a.port(), device_path(dev), bearer(key));
    EXPECT_TRUE(is_error(r, 401, "UNAUTHORIZED"));
}

} // namespace
} // namespace ssegw::it

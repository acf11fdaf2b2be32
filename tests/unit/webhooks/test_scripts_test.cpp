// webhooks/api/test_scripts without Redis: the test request's two EVAL commands (keys, arguments
// in the order the scripts read them) and the readers of every reply shape, refusing anything
// else; and the empty body a test takes. The scripts themselves run in
// tests/integration/webhook_test_send_test.
#include "webhooks/api/test_scripts.hpp"
#include "webhooks/model/webhook_input.hpp"

#include "tests/unit/support/redis_values.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ts = ssegw::webhooks::test_scripts;
using ssegw::redis::value;
using namespace ssegw::test_values;
using strings = std::vector<std::string>;

namespace {

ts::test_ids const ids{"lock", "rec", "del", "evt"};

} // namespace

TEST(test_scripts, start_command_keys_and_arguments) {
    auto c = ts::start("u1", ids, 2592000000);
    ASSERT_EQ(c.size(), 10u);
    EXPECT_EQ(c[0], "EVAL");
    EXPECT_NE(c[1].find("SET', KEYS[2], ARGV[1], 'NX', 'PX'"), std::string::npos);
    EXPECT_EQ(strings(c.begin() + 2, c.end()),
              (strings{"2", "webhook:u1", "webhook:test:u1", "lock", "rec", "del", "evt", "2592000000"}));
}

TEST(test_scripts, finish_command_keys_and_arguments) {
    ts::result_fields r{false, 500, 42, std::string("boom"), std::string("http_status: HTTP 500")};
    auto c = ts::finish("u1", ids, r, 1000);
    EXPECT_EQ(strings(c.begin() + 2, c.end()), (strings{"2", "webhook:attempt:rec", "webhook:test:u1", "lock", "failed",
                                                        "500", "42", "=boom", "=http_status: HTTP 500", "1000"}));
    ts::result_fields ok{true, 204, 7, std::string(), std::nullopt};
    c = ts::finish("u1", ids, ok, 1000);
    EXPECT_EQ(strings(c.begin() + 6, c.end()), (strings{"success", "204", "7", "=", "", "1000"}));
}

TEST(test_scripts, read_start_every_shape) {
    auto none = ts::read_start(arr({str("none")}));
    ASSERT_TRUE(none);
    EXPECT_TRUE(std::holds_alternative<ts::no_webhook>(*none));

    auto busy = ts::read_start(arr({str("busy"), num(8500)}));
    ASSERT_TRUE(busy);
    EXPECT_EQ(std::get<ts::busy>(*busy).lock_ms_left, 8500);

    auto started = ts::read_start(arr({str("started"), str("https://h/x"), str("5000"), str("v1.a.b"), str(""),
                                       str("w1"), str("1769682605123"), str("{}")}));
    ASSERT_TRUE(started);
    auto const& s = std::get<ts::started>(*started);
    EXPECT_EQ(s.url, "https://h/x");
    EXPECT_EQ(s.timeout_ms, 5000);
    EXPECT_EQ(s.secret, "v1.a.b");
    EXPECT_EQ(s.previous_secret, "");
    EXPECT_EQ(s.webhook_id, "w1");
    EXPECT_EQ(s.at_ms, 1769682605123);
    EXPECT_EQ(s.body, "{}");

    EXPECT_FALSE(ts::read_start(value{}));
    EXPECT_FALSE(ts::read_start(arr({str("busy")})));
    EXPECT_FALSE(ts::read_start(arr({str("started"), str("u"), str("x5000"), str(""), str(""), str(""), str("1"), str("")})));
    EXPECT_FALSE(ts::read_start(arr({str("started"), str("u")})));
    value error;
    error.type = value::kind::error;
    error.str = "ERR";
    EXPECT_FALSE(ts::read_start(error));
}

TEST(test_scripts, read_finish_needs_a_record) {
    auto f = ts::read_finish(arr({str("id"), str("rec"), str("status"), str("success"), str("payload"), str("{}")}));
    ASSERT_TRUE(f);
    EXPECT_EQ(f->size(), 3u);
    EXPECT_FALSE(ts::read_finish(arr({})));
    EXPECT_FALSE(ts::read_finish(arr({str("status"), str("success")})));
    EXPECT_FALSE(ts::read_finish(num(0)));
}

TEST(test_scripts, a_test_takes_no_input) {
    using ssegw::webhooks::read_empty_input;
    EXPECT_FALSE(read_empty_input("", ""));
    EXPECT_FALSE(read_empty_input("application/json", "{}"));
    EXPECT_FALSE(read_empty_input("application/json; charset=utf-8", " { } "));
    auto e = read_empty_input("application/json", R"({"url":"x"})");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->field, "url");
    e = read_empty_input("application/json", "[]");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->field, "body");
    e = read_empty_input("text/plain", "{}");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->field, "body");
}

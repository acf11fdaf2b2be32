// The delivery log's API (docs/WEBHOOKS.md, "The delivery log": GET …/webhook/deliveries, …/deliveries/{id},
// POST …/deliveries/{id}/retry) served by the real sse-gateway over a real redis-server, on records
// the engine's own plan and complete steps wrote: pagination arithmetic, every filter and their
// combinations against the records themselves, the date edges, 400s naming their parameter, 404s
// for foreign and expired records, retention emptying lists, counts and index keys, manual
// retries and their 409s, and a writer racing the listing.
#include "common/time/iso8601.hpp"
#include "tests/integration/webhook_engine_fixture.hpp"
#include "tests/support/http_client.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

namespace ssegw::it {
namespace {

using namespace engine_fixture;
using json = nlohmann::json;

constexpr char const* log_path = "/api/v1/users/me/webhook/deliveries";

struct made_record {
    std::string id, status, device, scene;
    std::int64_t created = 0;
};

class delivery_log : public webhook_engine_fixture {
protected:
    void SetUp() override {
        webhook_engine_fixture::SetUp();
        reader_ = new_key(user_, {.scopes = "webhook:read"});
        writer_ = new_key(user_, {.scopes = "webhook:write"});
        key_file_ = write_key_file({"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"});
    }

    /// The gateway with the webhook API on (it needs a key file).
    void start(std::vector<std::string> extra = {}) {
        extra.insert(extra.begin(), {"--webhook-secret-key-file", key_file_});
        gw_ = &start_gateway(std::move(extra));
    }

    http_response call(std::string method, std::string const& target, std::string const& key) {
        http_request r{std::move(method), target, {}, {}};
        r.headers.emplace_back("Authorization", "Bearer " + key);
        return send_request(gw_->port(), r);
    }
    json list(std::string const& query, std::string const& key = {}) {
        auto r = call("GET", std::string(log_path) + query, key.empty() ? reader_ : key);
        EXPECT_EQ(r.status(), 200) << query << "\n" << r.dump();
        auto j = json::parse(r.body, nullptr, false);
        return j.is_discarded() ? json::object() : j;
    }
    // The ids a list answer holds, in order.
    static strings ids_of(json const& page) {
        strings out;
        for (auto const& r : page["data"]) out.push_back(r["id"].get<std::string>());
        return out;
    }
    // The field a 400 names.
    std::string refused_field(std::string const& query) {
        auto r = call("GET", std::string(log_path) + query, reader_);
        EXPECT_EQ(r.status(), 400) << query << "\n" << r.dump();
        auto j = json::parse(r.body, nullptr, false);
        return j.is_discarded() ? "" : j["error"].value("field", "");
    }

    // A record left `status` by the engine's own steps: planned (pending), then completed.
    made_record make(std::string const& status, std::string const& device, std::string const& scene) {
        auto j = planned(device, scene);
        if (status == "success") complete(j.record_id, j.token, ok());
        if (status == "failed") complete(j.record_id, j.token, failed());
        return {j.record_id, status, device, scene, to_ms(attempt(j.record_id, "createdAt"))};
    }

    // Newest createdAt first, ties by id descending: the list's order.
    static void sort_newest_first(std::vector<made_record>& v) {
        std::sort(v.begin(), v.end(), [](auto const& a, auto const& b) {
            return a.created != b.created ? a.created > b.created : a.id > b.id;
        });
    }

    gateway* gw_ = nullptr;
    std::string reader_, writer_, key_file_;
};

std::string expect_pagination(json const& p, int limit, int page, int total) {
    int pages = (total + limit - 1) / limit;
    json want = {{"limit", limit}, {"currentPage", page}, {"totalRecords", total}, {"totalPages", pages},
                 {"nextPage", page < pages ? json(page + 1) : json()}, {"previousPage", page > 1 ? json(page - 1) : json()}};
    return p == want ? "" : p.dump() + " != " + want.dump();
}

TEST_F(delivery_log, pagination_first_middle_last_past_the_end_and_empty) {
    create_webhook(max_retries(0));
    std::vector<made_record> made;
    for (int i = 0; i < 23; ++i) made.push_back(make(i % 3 ? "success" : "failed", "cam-1", ""));
    sort_newest_first(made);
    start();

    strings all;
    for (int page = 1; page <= 3; ++page) {
        auto j = list("?limit=10&page=" + std::to_string(page));
        EXPECT_EQ(expect_pagination(j["pagination"], 10, page, 23), "") << page;
        EXPECT_EQ(j["data"].size(), page < 3 ? 10u : 3u);
        for (auto const& id : ids_of(j)) all.push_back(id);
    }
    strings want;
    for (auto const& m : made) want.push_back(m.id);
    EXPECT_EQ(all, want) << "newest first, ties by id descending, each record once";

    auto past = list("?limit=10&page=4");
    EXPECT_TRUE(past["data"].empty());
    EXPECT_EQ(expect_pagination(past["pagination"], 10, 4, 23), "");
    auto far = list("?limit=10&page=1000000000");
    EXPECT_TRUE(far["data"].empty());
    EXPECT_EQ(far["pagination"]["previousPage"], 999999999);

    auto defaults = list("");
    EXPECT_EQ(expect_pagination(defaults["pagination"], 20, 1, 23), "") << "page 1, limit 20 by default";
    EXPECT_EQ(defaults["data"].size(), 20u);
    auto one = list("?limit=100");
    EXPECT_EQ(one["data"].size(), 23u);
    EXPECT_EQ(one["pagination"]["totalPages"], 1);

    auto nobody = new_key(unique("other"), {.scopes = "webhook:read"});
    auto empty = list("", nobody);
    EXPECT_TRUE(empty["data"].empty());
    EXPECT_EQ(expect_pagination(empty["pagination"], 20, 1, 0), "") << "no records: 0 pages, no next page";
}

TEST_F(delivery_log, every_filter_and_combination_matches_the_records) {
    create_webhook(max_retries(0));
    std::vector<made_record> made;
    strings statuses{"success", "failed", "pending"}, devices{"cam-1", "cam-2", ""}, scenes{"s-1", ""};
    for (auto const& s : statuses)
        for (auto const& d : devices)
            for (auto const& c : scenes) made.push_back(make(s, d, c));
    made.push_back(make("success", "cam-1", "s-1"));
    sort_newest_first(made);
    start();

    int checked = 0;
    for (auto const& s : {std::string(), std::string("success"), std::string("failed"), std::string("pending")})
        for (auto const& d : {std::string(), std::string("cam-1"), std::string("cam-2")})
            for (auto const& c : {std::string(), std::string("s-1")}) {
                std::string q = "?limit=100";
                if (!s.empty()) q += "&status=" + s;
                if (!d.empty()) q += "&deviceId=" + d;
                if (!c.empty()) q += "&sceneId=" + c;
                strings want;
                for (auto const& m : made)
                    if ((s.empty() || m.status == s) && (d.empty() || m.device == d) && (c.empty() || m.scene == c))
                        want.push_back(m.id);
                auto j = list(q);
                EXPECT_EQ(ids_of(j), want) << q;
                EXPECT_EQ(j["pagination"]["totalRecords"], want.size()) << q;
                for (auto const& r : j["data"]) {
                    EXPECT_TRUE(s.empty() || r["status"] == s) << q;
                    EXPECT_TRUE(d.empty() || r["deviceId"] == d) << q;
                    EXPECT_TRUE(c.empty() || r["sceneId"] == c) << q;
                }
                ++checked;
            }
    EXPECT_EQ(checked, 24);

    // Combined with a date range that cuts the newest record off.
    auto newest = made.front();
    auto j = list("?limit=100&status=success&deviceId=cam-1&endDate=" + iso8601::format_ms(newest.created - 1));
    for (auto const& id : ids_of(j)) EXPECT_NE(id, newest.id);
    auto with_it = list("?limit=100&status=success&deviceId=cam-1&endDate=" + iso8601::format_ms(newest.created));
    EXPECT_EQ(with_it["pagination"]["totalRecords"].get<int>(), j["pagination"]["totalRecords"].get<int>() + 1);
}

TEST_F(delivery_log, date_bounds_are_inclusive_with_zones_and_whole_days) {
    create_webhook();
    auto a = make("success", "cam-1", "");
    auto b = make("success", "cam-1", "");
    auto c = make("success", "cam-1", "");
    start();
    auto total = [&](std::string const& q) { return list("?limit=100" + q)["pagination"]["totalRecords"].get<int>(); };
    auto at = [](std::int64_t ms) { return iso8601::format_ms(ms); };

    EXPECT_EQ(total("&startDate=" + at(b.created)), 1 + (c.created >= b.created ? 1 : 0) + (a.created == b.created ? 1 : 0));
    EXPECT_EQ(total("&startDate=" + at(c.created) + "&endDate=" + at(c.created)), 1 + (b.created == c.created ? 1 : 0) +
                                                                                      (a.created == c.created ? 1 : 0))
        << "one instant, both bounds inclusive";
    EXPECT_EQ(total("&startDate=" + at(c.created + 1)), 0);
    EXPECT_EQ(total("&endDate=" + at(a.created - 1)), 0);

    // The same instant written with an offset: +08:00 percent-encoded, and a '+' that arrives as a space.
    auto local = [&](std::int64_t ms) {
        auto s = iso8601::format_ms(ms + 8 * 3600000);
        return s.substr(0, s.size() - 1);  // drop the Z
    };
    EXPECT_EQ(total("&startDate=" + local(a.created) + "%2B08:00"), 3);
    EXPECT_EQ(total("&startDate=" + local(c.created + 1) + "+08:00"), 0) << "'+' decoded as a space counts as '+'";
    EXPECT_EQ(total("&endDate=" + local(c.created) + "%2B08:00&startDate=" + at(a.created)), 3);

    // Date-only bounds: startDate from 00:00, endDate through the whole UTC day.
    auto today = at(a.created).substr(0, 10);
    auto yesterday = at(a.created - 86400000).substr(0, 10);
    auto tomorrow = at(c.created + 86400000).substr(0, 10);
    EXPECT_EQ(total("&startDate=" + today + "&endDate=" + at(c.created).substr(0, 10)), 3) << "the same day for both";
    EXPECT_EQ(total("&endDate=" + yesterday), 0);
    EXPECT_EQ(total("&startDate=" + tomorrow), 0);
    EXPECT_EQ(total("&startDate=" + yesterday + "&endDate=" + tomorrow), 3);

    // startDate after endDate, checked after a date-only endDate became its day's end.
    EXPECT_EQ(refused_field("?startDate=" + tomorrow + "&endDate=" + today), "endDate");
    EXPECT_EQ(total("&startDate=" + today + "T23:59:59.999Z&endDate=" + today), 0)
        << "the last ms of the day is within a date-only endDate: not a 400";
}

TEST_F(delivery_log, bad_parameters_are_400_naming_them_and_unknown_ones_ignored) {
    start();
    create_webhook();
    for (auto const& [query, field] : std::vector<std::pair<std::string, std::string>>{
             {"?page=0", "page"},           {"?page=abc", "page"},          {"?page=1000000001", "page"},
             {"?page=%2B1", "page"},        {"?page=1.0", "page"},          {"?page=", "page"},
             {"?limit=0", "limit"},         {"?limit=101", "limit"},        {"?limit=-5", "limit"},
             {"?status=ok", "status"},      {"?status=SUCCESS", "status"},  {"?deviceId=a%20b", "deviceId"},
             {"?deviceId=", "deviceId"},    {"?sceneId=%01", "sceneId"},    {"?startDate=2026-13-01", "startDate"},
             {"?startDate=2026-02-30", "startDate"}, {"?startDate=2026-01-29T10:30:00", "startDate"},
             {"?endDate=yesterday", "endDate"},      {"?page=1&page=2", "page"},  {"?status=failed&status=failed", "status"},
             {"?limit=5&endDate=2026-01-01&endDate=2026-01-02", "endDate"}})
        EXPECT_EQ(refused_field(query), field) << query;
    auto j = list("?page=1&limit=5&color=blue&foo");
    EXPECT_EQ(j["pagination"]["limit"], 5) << "unknown parameters are ignored";
}

TEST_F(delivery_log, get_answers_the_callers_own_record_and_404_otherwise) {
    create_webhook();
    auto r = make("failed", "cam-1", "s-1");
    start();
    auto got = call("GET", std::string(log_path) + "/" + r.id, reader_);
    ASSERT_EQ(got.status(), 200) << got.dump();
    auto data = json::parse(got.body)["data"];
    EXPECT_EQ(data["id"], r.id);
    EXPECT_EQ(data["status"], "failed");
    EXPECT_EQ(data["errorMessage"], "http_status: 503");
    EXPECT_EQ(data["deviceId"], "cam-1");
    EXPECT_TRUE(data["payload"].is_object()) << "the body sent, embedded";
    auto upper = r.id;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    EXPECT_EQ(call("GET", std::string(log_path) + "/" + upper, reader_).status(), 200) << "ids in any case";

    auto stranger = new_key(unique("other"), {.scopes = "webhook:write"});
    for (auto const& [target, key] : std::vector<std::pair<std::string, std::string>>{
             {r.id, stranger}, {ids::make_uuid7(), writer_}, {"not-a-record", writer_}, {"..%2F..%2Fapikey", writer_}}) {
        auto res = call("GET", std::string(log_path) + "/" + target, key);
        EXPECT_EQ(res.status(), 404) << target << "\n" << res.dump();
        EXPECT_NE(res.body.find("\"NOT_FOUND\""), std::string::npos);
        EXPECT_EQ(call("POST", std::string(log_path) + "/" + target + "/retry", key).status(), 404) << target;
    }
    EXPECT_EQ(call("GET", std::string(log_path) + "/" + r.id, "nope").status(), 401);
}

TEST_F(delivery_log, retention_drops_records_from_lists_counts_gets_and_the_index) {
    create_webhook(max_retries(0));
    auto old = make("failed", "cam-1", "");
    make("success", "cam-1", "");
    start({"--webhook-retention", "2"});
    EXPECT_EQ(list("")["pagination"]["totalRecords"], 2);
    auto any = keys::webhook_index(user_, "*", "*", "*");
    EXPECT_EQ(redis().command({"ZCARD", any})->integer, 2);

    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    auto j = list("");
    EXPECT_TRUE(j["data"].empty());
    EXPECT_EQ(expect_pagination(j["pagination"], 20, 1, 0), "");
    EXPECT_EQ(redis().command({"ZCARD", any})->integer, 0) << "expired records leave the index key read";
    EXPECT_EQ(list("?status=failed&deviceId=cam-1")["pagination"]["totalRecords"], 0);
    EXPECT_EQ(redis().command({"ZCARD", keys::webhook_index(user_, "failed", keys::webhook_index_part("cam-1"), "*")})->integer, 0);
    EXPECT_EQ(call("GET", std::string(log_path) + "/" + old.id, reader_).status(), 404) << "expired";
    EXPECT_EQ(call("POST", std::string(log_path) + "/" + old.id + "/retry", writer_).status(), 404);
    EXPECT_EQ(redis().command({"EXISTS", keys::webhook_attempt(old.id)})->integer, 1)
        << "the hash itself stays until its own TTL (retention + 1 day) and is never shown meanwhile";
}

TEST_F(delivery_log, manual_retry_adds_an_attempt_to_the_delivery_and_refuses_with_409) {
    create_webhook(max_retries(1));
    auto j = planned("cam-1", "");
    auto automatic = ids::make_uuid7();
    ASSERT_EQ(complete(j.record_id, j.token, failed(), 60000, automatic).what, wh::completion::retry_scheduled);
    auto other = make("failed", "cam-2", "");
    start();
    auto retry = [&](std::string const& id, std::string const& key = {}) {
        return call("POST", std::string(log_path) + "/" + id + "/retry", key.empty() ? writer_ : key);
    };
    auto conflict = [&](std::string const& id) {
        auto r = retry(id);
        EXPECT_EQ(r.status(), 409) << r.dump();
        EXPECT_NE(r.body.find("\"CONFLICT\""), std::string::npos);
        return r.body;
    };
    // The automatic retry is pending: no manual one meanwhile.
    EXPECT_NE(conflict(j.record_id).find("pending"), std::string::npos);
    EXPECT_EQ(retry(j.record_id, reader_).status(), 403) << "retry needs webhook:write";

    make_due(automatic);
    auto auto_retry = claim();
    ASSERT_EQ(auto_retry.jobs.size(), 1u);
    complete(auto_retry.jobs[0].record_id, auto_retry.jobs[0].token, failed());

    auto r = retry(j.record_id);
    ASSERT_EQ(r.status(), 202) << r.dump();
    auto rec = json::parse(r.body)["data"];
    EXPECT_EQ(rec["status"], "pending");
    EXPECT_EQ(rec["trigger"], "manual");
    EXPECT_EQ(rec["deliveryId"], j.delivery_id);
    EXPECT_EQ(rec["notificationId"], j.event_id);
    EXPECT_EQ(rec["attemptNumber"], 3) << "after two automatic attempts";
    EXPECT_EQ(rec["maxAttempts"], 3) << "a manual attempt's own number";
    EXPECT_EQ(rec["isFinalAttempt"], true);
    EXPECT_EQ(rec["payload"], json::parse(j.body)) << "the same body";
    EXPECT_EQ(rec["deviceId"], "cam-1");
    auto manual_id = rec["id"].get<std::string>();
    EXPECT_NE(manual_id, j.record_id);
    EXPECT_TRUE(due_score(manual_id)) << "due at once";
    EXPECT_NE(conflict(j.record_id).find("pending"), std::string::npos) << "its own attempt is pending now";
    EXPECT_EQ(list("?status=pending&deviceId=cam-1")["pagination"]["totalRecords"], 1);

    // The worker's claim sends it to the webhook as it is now; a failure schedules nothing more.
    auto claimed = claim();
    ASSERT_EQ(claimed.jobs.size(), 1u);
    EXPECT_EQ(claimed.jobs[0].record_id, manual_id);
    EXPECT_EQ(claimed.jobs[0].body, j.body) << "the same body bytes";
    EXPECT_EQ(claimed.jobs[0].event_id, j.event_id);
    auto done = complete(manual_id, claimed.jobs[0].token, failed());
    EXPECT_EQ(done.what, wh::completion::failed) << "no automatic retry follows a manual attempt";
    EXPECT_TRUE(done.next_record_id.empty());
    EXPECT_EQ(retry(manual_id).status(), 202) << "a manual attempt's record can be retried again";

    api_update(enabled(false));
    EXPECT_NE(conflict(other.id).find("disabled"), std::string::npos);
    redis().command(wh::scripts::remove(user_));
    auto gone = call("POST", std::string(log_path) + "/" + other.id + "/retry", writer_);
    EXPECT_EQ(gone.status(), 404) << "no webhook";
}

TEST_F(delivery_log, a_test_requests_record_cannot_be_retried) {
    create_webhook();
    start();
    // The stored secret does not open with this key file: nothing is sent, the record ends failed.
    auto t = call("POST", "/api/v1/users/me/webhook/test", writer_);
    ASSERT_EQ(t.status(), 200) << t.dump();
    auto id = json::parse(t.body)["data"]["id"].get<std::string>();
    auto r = call("POST", std::string(log_path) + "/" + id + "/retry", writer_);
    EXPECT_EQ(r.status(), 409) << r.dump();
    EXPECT_NE(r.body.find("test"), std::string::npos);
    EXPECT_EQ(list("")["data"][0]["trigger"], "test") << "listed like every record";
}

TEST_F(delivery_log, counts_and_pages_stay_consistent_while_a_writer_adds_records) {
    create_webhook(max_retries(0));
    for (int i = 0; i < 30; ++i) make("success", "cam-1", "");
    start();
    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    std::thread writer([&] {
        redis::endpoint ep;
        ep.port = redis_server_->port();
        redis::sync_client own(ep);
        while (!stop && written < 400) {
            auto out = wh::publish_event(own, {ids::make_uuid7(), "alert_triggered", user_, "cam-1", "", "", "{}"}, 1000000);
            auto entry = read_entry(own, "writer");
            if (out.status != wh::publish_status::added || !entry) break;
            auto event = std::get<wh::event_entry>(wh::read_event(entry->fields));
            redis::evalsha_or_load(own, wh::engine_script_source(wh::engine_step::plan),
                                   wh::plan_command(entry->id, event, wh::new_plan_ids(), limits_, false));
            ++written;
        }
    });
    int last_total = 0, lists = 0;
    while (written < 400 && lists < 400) {
        auto page = 1 + lists % 3;
        auto j = list("?limit=7&page=" + std::to_string(page));
        int total = j["pagination"]["totalRecords"].get<int>();
        EXPECT_GE(total, last_total) << "a count never goes back";
        last_total = total;
        auto expected = std::max(0, std::min(7, total - (page - 1) * 7));
        EXPECT_EQ(static_cast<int>(j["data"].size()), expected) << "page " << page << " of " << total;
        EXPECT_EQ(expect_pagination(j["pagination"], 7, page, total), "");
        ++lists;
    }
    stop = true;
    writer.join();
    EXPECT_GT(written.load(), 0);
    EXPECT_EQ(list("")["pagination"]["totalRecords"], 30 + written.load());
}

} // namespace
} // namespace ssegw::it

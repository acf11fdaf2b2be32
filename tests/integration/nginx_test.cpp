// Deployed as users run it: two gateway instances sharing one Redis behind the nginx of
// deploy/nginx (TLS, HTTP/2), read by real `curl` processes that verify nginx's certificate.
// Event latency through the proxy, keepalives against nginx's read timeout, the per-user cap across
// the instances, many streams multiplexed on one HTTP/2 connection, and an access log without keys.
#include "tests/support/checks.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/nginx.hpp"

#include "common/redis/publish_script.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace ssegw::it {
namespace {

// A curl response printed with -i: status, headers (names lower-cased), body.
struct curl_response {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;
};

curl_response parse_curl_output(std::string const& out) {
    curl_response r;
    auto end = out.find("\r\n\r\n");
    std::istringstream head(out.substr(0, end));
    std::string line;
    if (std::getline(head, line)) {
        std::istringstream f(line);
        std::string proto;
        f >> proto >> r.status;
    }
    while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        auto name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        r.headers[name] = value;
    }
    if (end != std::string::npos) r.body = out.substr(end + 4);
    return r;
}

double ms(clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

class nginx : public gateway_test {
protected:
    void TearDown() override {
        if (HasFailure() && ngx_) {
            std::cerr << "---- nginx (port " << ngx_->port() << "):\n"
                      << ngx_->log() << "---- access.log:\n"
                      << read_file(ngx_->access_log()).substr(0, 6000) << "----\n";
        }
        ngx_.reset();
        gateway_test::TearDown();
    }

    nginx_proxy& start_nginx(std::vector<gateway*> const& gws, int read_timeout_s = 330) {
        nginx_options o;
        for (auto* g : gws) o.upstream_ports.push_back(g->port());
        o.read_timeout_s = read_timeout_s;
        ngx_ = std::make_unique<nginx_proxy>(dir_->path(), o);
        return *ngx_;
    }

    // curl -sS -N -i --cacert … through nginx.
    std::unique_ptr<piped_child> curl(std::string const& target, std::string const& key,
                                      std::vector<std::string> const& extra = {}) {
        return start_curl(*ngx_, target, key, dir_->file("curl-" + std::to_string(++curls_) + ".err"), extra);
    }

    // The response head said 200 and the stream's first `retry:` arrived.
    static ::testing::AssertionResult streaming(piped_child& c, deadline d = in(5s)) {
        bool ok = c.read_until(d, [&] { return c.line_starting("retry: ").has_value(); });
        if (!ok) return ::testing::AssertionFailure() << "no stream start through nginx; " << c.describe();
        auto r = parse_curl_output(c.output());
        if (r.status != 200) return ::testing::AssertionFailure() << "status " << r.status << "; " << c.describe();
        return ::testing::AssertionSuccess();
    }

    // Streams open on an instance right now (device + all), from its own /metrics.
    static double conns(gateway& g) {
        return scrape(g.port(), "sse_gateway_connections{stream=\"device\"}").value_or(-1) +
               scrape(g.port(), "sse_gateway_connections{stream=\"all\"}").value_or(-1);
    }

    // Reads all `children` until `until` (keeps their pipes drained, stamps arrivals).
    static void pump_for(std::vector<piped_child*> const& children, clock::time_point until) {
        while (clock::now() < until)
            if (!pump_any(children, until)) std::this_thread::sleep_until(until);  // timeout, or all at EOF
    }

    std::unique_ptr<nginx_proxy> ngx_;
    int curls_ = 0;
};

// (a) Latency through nginx: every event on a device stream and an all-stream (HTTP/2, TLS) within 200 ms
// of its publish.
TEST_F(nginx, every_event_arrives_within_200_ms_of_its_publish) {
    auto& a = start_gateway({}, "gw-1");
    auto& b = start_gateway({}, "gw-2");
    auto& ngx = start_nginx({&a, &b});
    (void)ngx;
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto dev_s = curl(device_path(dev), key);
    auto all_s = curl(all_path(), key);
    ASSERT_TRUE(streaming(*dev_s));
    ASSERT_TRUE(streaming(*all_s));
    std::vector<piped_child*> both{dev_s.get(), all_s.get()};

    int const n = 20;
    std::vector<std::pair<std::string, clock::time_point>> sent_dev, sent_all;  // id, publish time
    auto next = clock::now();
    for (int i = 0; i < n; ++i) {
        pump_for(both, next);
        auto t = clock::now();
        auto ids = redis::publish_result(redis(), dev, user, result_json(dev, i));
        sent_dev.emplace_back(ids.device_id, t);
        sent_all.emplace_back(ids.user_id, t);
        next = t + 50ms;
    }
    auto all_arrived = [&] {
        return dev_s->count_starting("id: ") >= static_cast<std::size_t>(n) &&
               all_s->count_starting("id: ") >= static_cast<std::size_t>(n);
    };
    auto d = in(3s);
    while (!all_arrived() && pump_any(both, d)) {}

    auto check = [&](char const* name, piped_child& c, std::vector<std::pair<std::string, clock::time_point>> const& sent) {
        std::vector<timed_line> got;
        for (auto const& l : c.lines())
            if (l.text.rfind("id: ", 0) == 0) got.push_back(l);
        EXPECT_LE(got.size(), sent.size()) << name << " stream: more events than published; " << c.describe();
        double max_ms = 0, sum_ms = 0;
        for (std::size_t i = 0; i < sent.size(); ++i) {
            if (i >= got.size()) {
                ADD_FAILURE() << name << " stream, event #" << i << " (" << sent[i].first << ") had not arrived "
                              << ms(clock::now() - sent[i].second) << " ms after its publish; " << c.describe(600);
                max_ms = std::max(max_ms, ms(clock::now() - sent[i].second));
                break;
            }
            EXPECT_EQ(got[i].text, "id: " + sent[i].first) << name << " stream, event #" << i;
            double delay = ms(got[i].at - sent[i].second);
            max_ms = std::max(max_ms, delay);
            sum_ms += delay;
            EXPECT_LE(delay, 200.0) << name << " stream, event #" << i << " (" << sent[i].first << ") took " << delay
                                    << " ms from publish to curl's stdout through nginx";
        }
        std::cout << "[ figures  ] " << name << " stream through nginx: " << sent.size()
                  << " events published, " << got.size() << " arrived, max delay " << max_ms << " ms, mean "
                  << sum_ms / static_cast<double>(std::max<std::size_t>(1, std::min(got.size(), sent.size())))
                  << " ms\n";
        RecordProperty(std::string(name) + "_max_delay_ms", std::to_string(max_ms));
    };
    check("device", *dev_s, sent_dev);
    check("all", *all_s, sent_all);
    EXPECT_TRUE(dev_s->proc().running()) << dev_s->describe();
    EXPECT_TRUE(all_s->proc().running()) << all_s->describe();
}

// (b) nginx cuts an upstream that sends nothing for proxy_read_timeout (2 s here); the gateway's
// keepalive comments (every 1 s) keep a quiet stream open: after 5 s of silence the next event arrives on
// the same response, over HTTP/2 and over HTTP/1.1.
TEST_F(nginx, quiet_stream_outlives_the_read_timeout_on_keepalives) {
    auto& a = start_gateway({"--keepalive-interval", "1"}, "gw-1");
    auto& b = start_gateway({"--keepalive-interval", "1"}, "gw-2");
    start_nginx({&a, &b}, 2);
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto h2 = curl(device_path(dev), key);
    auto h1 = curl(device_path(dev), key, {"--http1.1"});
    ASSERT_TRUE(streaming(*h2));
    ASSERT_TRUE(streaming(*h1));
    EXPECT_EQ(h2->output().rfind("HTTP/2 200", 0), 0u) << h2->describe();
    EXPECT_EQ(h1->output().rfind("HTTP/1.1 200", 0), 0u) << h1->describe();

    std::vector<piped_child*> both{h2.get(), h1.get()};
    pump_for(both, clock::now() + 5s);  // quiet: 2.5 times nginx's read timeout
    for (auto* c : both) {
        ASSERT_TRUE(c->proc().running() && !c->eof())
            << "the stream ended during the quiet period (nginx's 2 s read timeout?); " << c->describe();
        EXPECT_GE(c->count_starting(": keepalive"), 3u) << "keepalives did not pass through nginx; "
                                                        << c->describe();
    }
    auto ids = redis::publish_result(redis(), dev, user, result_json(dev, 1));
    for (auto* c : both) {
        EXPECT_TRUE(c->read_until(in(2s), [&] { return c->line_starting("id: " + ids.device_id).has_value(); }))
            << "the event after the quiet period did not arrive; " << c->describe();
        EXPECT_TRUE(c->proc().running()) << c->describe();
        // One response on one connection: curl never retries on its own, and printed one head.
        EXPECT_EQ(c->count_starting("HTTP/"), 1u) << c->describe();
        EXPECT_EQ(c->count_starting("retry: "), 1u) << c->describe();
    }
}

// (c) --max-conns-per-user 3 on both instances, streams balanced over both by nginx: the 4th gets 429
// TOO_MANY_CONNECTIONS (JSON, Retry-After) through nginx; closing one frees a slot at once.
TEST_F(nginx, per_user_cap_holds_across_both_instances_behind_nginx) {
    auto& a = start_gateway({"--max-conns-per-user", "3"}, "gw-1");
    auto& b = start_gateway({"--max-conns-per-user", "3"}, "gw-2");
    start_nginx({&a, &b});
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    gateway* gws[2] = {&a, &b};

    // Open 3 streams through nginx until both instances hold at least one. nginx balances per worker
    // (round robin, 2 workers), so 3 streams may land on one instance: then one is closed and reopened.
    struct held {
        std::unique_ptr<piped_child> c;
        int on;
    };
    std::vector<held> open;
    int attempts = 0;
    while (open.size() < 3 && attempts++ < 12) {
        double before[2] = {conns(a), conns(b)};
        auto c = curl(device_path(dev), key);
        ASSERT_TRUE(streaming(*c));
        int on = -1;
        ASSERT_TRUE(poll_until(in(3s), [&] {
            for (int i = 0; i < 2; ++i)
                if (conns(*gws[i]) > before[i]) on = i;
            return on >= 0;
        })) << "neither instance counts the new stream";
        if (open.size() == 2 && open[0].on == on && open[1].on == on) {
            c->proc().kill_now();
            ASSERT_TRUE(poll_until(in(3s), [&] { return conns(*gws[on]) == before[on]; }));
            continue;
        }
        open.push_back({std::move(c), on});
    }
    ASSERT_EQ(open.size(), 3u) << "nginx did not spread 3 streams over both instances in 12 attempts";
    EXPECT_GE(conns(a), 1);
    EXPECT_GE(conns(b), 1);
    EXPECT_EQ(conns(a) + conns(b), 3);
    std::cout << "[ figures  ] 3 streams through nginx: " << conns(a) << " on gw-1, " << conns(b) << " on gw-2 ("
              << attempts << " opened)\n";

    // The 4th, twice (nginx's round robin tends to alternate instances): refused, with the contract's body.
    auto refused = [&](std::string const& target) -> ::testing::AssertionResult {
        auto c = curl(target, key, {"--max-time", "5"});
        if (!c->wait_eof(in(6s))) return ::testing::AssertionFailure() << "no complete answer; " << c->describe();
        auto r = parse_curl_output(c->output());
        auto body = nlohmann::json::parse(r.body, nullptr, false);
        if (r.status != 429 || body.is_discarded() || !body.contains("error") ||
            body["error"].value("code", "") != "TOO_MANY_CONNECTIONS" || !r.headers.count("retry-after") ||
            r.headers["content-type"].find("application/json") == std::string::npos)
            return ::testing::AssertionFailure() << "want 429 TOO_MANY_CONNECTIONS JSON with Retry-After; "
                                                 << c->describe();
        return ::testing::AssertionSuccess();
    };
    EXPECT_TRUE(refused(device_path(dev)));
    EXPECT_TRUE(refused(all_path()));
    EXPECT_EQ(conns(a) + conns(b), 3) << "a refused request holds a stream";

    // Close one (curl gone: nginx drops its upstream connection): a new stream fits at once.
    open.front().c->proc().kill_now();
    auto t0 = clock::now();
    std::unique_ptr<piped_child> again;
    int tries = 0;
    poll_until(in(3s), [&] {
        ++tries;
        auto c = curl(device_path(dev), key, {"--max-time", "5"});
        c->read_until(in(3s), [&] { return c->line_starting("retry: ").has_value() || c->eof(); });
        if (parse_curl_output(c->output()).status != 200 || !c->line_starting("retry: ")) return false;
        again = std::move(c);
        return true;
    }, 50ms);
    ASSERT_TRUE(again) << "no slot freed within 3 s of closing a stream (" << tries << " tries)";
    double took = seconds_since(t0);
    std::cout << "[ figures  ] slot free again " << took * 1000 << " ms after the client closed (" << tries
              << " tries)\n";
    EXPECT_LE(took, 1.5);
    EXPECT_TRUE(refused(device_path(dev))) << "full again after the replacement";
}

// (d) HTTP/2 through nginx: 8 streams of one user in one curl process share one TLS connection (more than
// the 6 a browser allows per origin over HTTP/1.1) and all get the event.
TEST_F(nginx, http2_carries_eight_streams_on_one_connection) {
    auto& a = start_gateway({"--max-conns-per-user", "20", "--idle-timeout", "3"}, "gw-1");
    auto& b = start_gateway({"--max-conns-per-user", "20", "--idle-timeout", "3"}, "gw-2");
    auto& ngx = start_nginx({&a, &b});
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});

    int const n = 8;
    process_options o;
    o.path = curl_binary();
    o.args = ngx.curl_args();
    o.args.insert(o.args.end(),
                  {"--http2", "--parallel", "--parallel-max", "10", "-N", "--max-time", "12", "-H",
                   "Authorization: Bearer " + key, "-w",
                   "%{http_code} %{http_version} %{num_connects} %{local_port} %{exitcode}\\n"});
    std::vector<std::filesystem::path> files;
    std::vector<bool> is_device;
    for (int i = 0; i < n; ++i) {
        files.push_back(dir_->file("h2-" + std::to_string(i) + ".out"));
        is_device.push_back(i % 2 == 0);
        o.args.insert(o.args.end(), {"-o", files.back().string(), ngx.url(is_device.back() ? device_path(dev) : all_path())});
    }
    o.stderr_file = dir_->file("h2.err").string();
    piped_child c(o);
    auto all_files = [&](auto&& pred) {
        return std::all_of(files.begin(), files.end(), [&](auto const& f) { return pred(read_file(f)); });
    };
    auto file_list = [&] {
        std::string s;
        for (std::size_t i = 0; i < files.size(); ++i) s += "#" + std::to_string(i) + ": '" + read_file(files[i]) + "'\n";
        return s;
    };
    ASSERT_TRUE(poll_until(in(5s), [&] {
        c.read_available();
        return all_files([](std::string const& s) { return s.find("retry: 3000") != std::string::npos; });
    })) << "not all 8 streams started; " << file_list() << c.describe();
    EXPECT_EQ(conns(a) + conns(b), n) << "the gateways do not hold 8 streams at once";

    auto ids = redis::publish_result(redis(), dev, user, result_json(dev, 1));
    EXPECT_TRUE(poll_until(in(3s), [&] {
        for (int i = 0; i < n; ++i)
            if (read_file(files[i]).find("id: " + (is_device[i] ? ids.device_id : ids.user_id)) == std::string::npos)
                return false;
        return true;
    })) << "the event did not reach every stream; " << file_list();

    // The gateways end the streams 3 s after the event (--idle-timeout): curl then prints one -w line each.
    ASSERT_TRUE(c.wait_eof(in(9s))) << c.describe();
    ASSERT_TRUE(c.proc().wait_until(in(2s))) << c.describe();
    int connects = 0;
    std::set<std::string> ports;
    int lines = 0;
    for (auto const& l : c.lines()) {
        std::istringstream f(l.text);
        std::string code, version, port, exitcode;
        int nc = -1;
        if (!(f >> code >> version >> nc >> port >> exitcode)) continue;
        ++lines;
        EXPECT_EQ(code, "200") << l.text;
        EXPECT_EQ(version, "2") << "not HTTP/2: " << l.text;
        EXPECT_EQ(exitcode, "0") << "the transfer did not end cleanly: " << l.text;
        connects += nc;
        ports.insert(port);
    }
    EXPECT_EQ(lines, n) << c.describe();
    EXPECT_EQ(connects, 1) << "sum of num_connects over the 8 transfers; " << c.describe();
    EXPECT_EQ(ports.size(), 1u) << "transfers used more than one local port; " << c.describe();
    std::cout << "[ figures  ] " << lines << " HTTP/2 transfers, sum of num_connects " << connects << ", "
              << ports.size() << " local port(s)\n";
}

// (e) Keys in the query (EventSource) and in the Authorization header: nginx's access log (and its error
// log) holds neither the key nor its hash, nor a ticket; the requests themselves are logged.
TEST_F(nginx, access_log_never_shows_the_key) {
    auto& a = start_gateway({"--idle-timeout", "1"}, "gw-1");
    auto& b = start_gateway({"--idle-timeout", "1"}, "gw-2");
    auto& ngx = start_nginx({&a, &b});
    auto user = unique("u");
    auto dev = unique("d");
    auto key = new_user(user, {dev});
    auto key2 = new_key(user);
    auto ticket = random_key().substr(8);  // a made-up ticket: the gateway answers 401, nginx must still redact

    struct req {
        std::string target, bearer;
        int want;  // status (0: any)
    };
    std::vector<req> reqs = {
        {all_path() + "?access_token=" + key, "", 200},
        {device_path(dev) + "?x=1&access_token=" + key + "&y=2", "", 200},
        {device_path(dev), key, 200},
        {device_path("no-such-device") + "?access_token=" + key, "", 404},
        {all_path() + "?access_token=" + key + "&access_token=" + key2, "", 0},
        {all_path() + "?access%5Ftoken=" + key, "", 0},
        {all_path() + "?ACCESS_TOKEN=" + key, "", 0},
        {device_path(dev) + "?ticket=" + ticket, "", 401},
    };
    std::vector<std::unique_ptr<piped_child>> cs;
    for (auto const& r : reqs) cs.push_back(curl(r.target, r.bearer, {"--max-time", "5"}));
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        ASSERT_TRUE(cs[i]->wait_eof(in(6s))) << cs[i]->describe();
        if (reqs[i].want) {
            EXPECT_EQ(parse_curl_output(cs[i]->output()).status, reqs[i].want) << "request #" << i << ": "
                                                                               << cs[i]->describe();
        }
    }
    auto count_lines = [](std::string const& s) { return std::count(s.begin(), s.end(), '\n'); };
    ASSERT_TRUE(poll_until(in(3s), [&] {
        return count_lines(read_file(ngx.access_log())) >= static_cast<long>(reqs.size());
    })) << "nginx logged fewer than " << reqs.size() << " requests:\n" << read_file(ngx.access_log());
    auto log = read_file(ngx.access_log());
    for (auto const& [what, secret] : {std::pair<std::string, std::string>{"the key", key},
                                       {"the key's hash", key_hash(key)},
                                       {"the second key", key2},
                                       {"the ticket", ticket}}) {
        EXPECT_EQ(log.find(secret), std::string::npos) << "access.log shows " << what << ":\n" << log;
        auto err = read_file(ngx.prefix() / "error.log");
        EXPECT_EQ(err.find(secret), std::string::npos) << "error.log shows " << what << ":\n" << err;
    }
    // The requests are there (the log is not just empty): each stream path, with its status.
    EXPECT_NE(log.find(all_path()), std::string::npos) << log;
    EXPECT_NE(log.find(device_path(dev)), std::string::npos) << log;
    EXPECT_NE(log.find(device_path("no-such-device")), std::string::npos) << log;
}

} // namespace
} // namespace ssegw::it

#include "bench/publisher.hpp"

#include "common/auth/seed_key.hpp"
#include "common/redis/publish_script.hpp"
#include "common/redis/url.hpp"
#include "common/sha256.hpp"

#include <chrono>
#include <thread>
#include <time.h>

namespace ssegw::bench {
namespace {

using clock = std::chrono::steady_clock;

std::int64_t realtime_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

redis::endpoint endpoint_of(std::string const& url) {
    std::string error;
    auto ep = redis::parse_url(url, error);
    if (!ep) throw std::runtime_error("--redis: " + error);
    return *ep;
}

constexpr std::size_t max_batch = 1000;

} // namespace

void seed_gateway(options const& o, load_plan const& plan) {
    redis::sync_client r(endpoint_of(o.redis_url));
    std::vector<std::vector<std::string>> devices(static_cast<std::size_t>(o.users));
    for (int d = 0; d < o.devices; ++d) devices[static_cast<std::size_t>(plan.user_of(d))].push_back(plan.device_name(d));
    // replace: a user's set from an earlier run with the same --prefix must not keep other devices.
    for (int u = 0; u < o.users; ++u)
        auth::seed_key(r, sha256_hex(plan.key(u)), {.user = plan.user_name(u)}, devices[static_cast<std::size_t>(u)],
                       auth::device_set::replace);
}

publisher::publisher(options const& o, load_plan const& plan) : o_(o), plan_(plan), pad_(static_cast<std::size_t>(o.payload), 'x') {
    if (o.target == target_kind::gateway) {
        redis_ = std::make_unique<redis::sync_client>(endpoint_of(o.redis_url));
        sha_ = redis::load_publish_script(*redis_);
    }
}

publisher::~publisher() = default;

// The bench's fields come first and unquoted so the client finds them without parsing JSON.
std::string publisher::result_json(std::int64_t seq, int device) const {
    std::string s = "{\"bench_seq\":" + std::to_string(seq) + ",\"bench_t\":" + std::to_string(realtime_ns()) +
                    ",\"deviceId\":\"" + plan_.device_name(device) + "\",\"pad\":\"";
    auto const room = static_cast<std::size_t>(o_.payload) > s.size() + 2 ? static_cast<std::size_t>(o_.payload) - s.size() - 2 : 0;
    s.append(pad_, 0, room);
    s += "\"}";
    return s;
}

publish_counts publisher::run(double rate, double seconds, std::vector<std::uint64_t> const& owed) {
    publish_counts counts;
    auto const t0 = clock::now();
    auto const end = t0 + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
    auto const total = static_cast<std::int64_t>(rate * seconds);
    std::int64_t sent = 0;
    std::vector<std::pair<std::int64_t, int>> batch;
    auto next_tick = t0;
    while (sent < total) {
        auto const now = clock::now();
        auto const due = std::min<std::int64_t>(
            total, static_cast<std::int64_t>(rate * std::chrono::duration<double>(now - t0).count()) + 1);
        batch.clear();
        while (sent < due && batch.size() < max_batch) {
            auto const seq = next_seq_.fetch_add(1);
            int const device = static_cast<int>(seq % o_.devices);
            batch.emplace_back(seq, device);
            counts.expected += owed[static_cast<std::size_t>(device)];
            ++sent;
        }
        if (!batch.empty()) send(batch, counts);
        if (now >= end + std::chrono::seconds(5)) break;  // the target cannot keep up: give up on the rest
        next_tick += std::chrono::milliseconds(1);
        if (next_tick > clock::now()) std::this_thread::sleep_until(next_tick);
        else next_tick = clock::now();
    }
    counts.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    return counts;
}

void publisher::send(std::vector<std::pair<std::int64_t, int>> const& batch, publish_counts& counts) {
    std::vector<std::string> bodies;
    std::vector<int> devices;
    bodies.reserve(batch.size());
    for (auto const& [seq, d] : batch) {
        bodies.push_back(result_json(seq, d));
        devices.push_back(d);
    }
    try {
        if (o_.target == target_kind::gateway) send_redis(bodies, devices, counts);
        else send_http(bodies, devices, counts);
    } catch (std::exception const& e) {
        counts.last_error = e.what();
        counts.errors += static_cast<std::int64_t>(batch.size());
        http_.reset();
        if (o_.target == target_kind::gateway) redis_ = std::make_unique<redis::sync_client>(endpoint_of(o_.redis_url));
    }
}

void publisher::send_redis(std::vector<std::string> const& bodies, std::vector<int> const& devices, publish_counts& counts) {
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        int const d = devices[i];
        redis_->append(redis::publish_command(sha_, plan_.device_name(d), plan_.user_name(plan_.user_of(d)), bodies[i]));
    }
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        auto r = redis_->get_reply();
        if (r->type == REDIS_REPLY_ARRAY) ++counts.published;
        else {
            ++counts.errors;
            if (r->type == REDIS_REPLY_ERROR) counts.last_error.assign(r->str, r->len);
        }
    }
}

// Keep-alive and pipelined, as a producer that cares would publish to nchan.
void publisher::send_http(std::vector<std::string> const& bodies, std::vector<int> const& devices, publish_counts& counts) {
    namespace http = boost::beast::http;
    if (!http_) {
        http_ = std::make_unique<net::ip::tcp::socket>(ioc_);
        http_->connect({net::ip::make_address(o_.host), o_.port});
        http_->set_option(net::ip::tcp::no_delay(true));
        http_buf_.clear();
    }
    std::string out;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        out += "POST " + plan_.publish_path(devices[i]) + " HTTP/1.1\r\nHost: " + o_.host +
               "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(bodies[i].size()) + "\r\n\r\n";
        out += bodies[i];
    }
    net::write(*http_, net::buffer(out));
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        http::response<http::string_body> res;
        http::read(*http_, http_buf_, res);
        if (res.result_int() / 100 == 2) ++counts.published;
        else {
            ++counts.errors;
            counts.last_error = "publish answered " + std::to_string(res.result_int()) + ": " + res.body().substr(0, 200);
        }
        if (!res.keep_alive()) {
            http_.reset();
            if (i + 1 < bodies.size()) throw std::runtime_error("the publish endpoint closed a pipelined connection");
        }
    }
}

} // namespace ssegw::bench

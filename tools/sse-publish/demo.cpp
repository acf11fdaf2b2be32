#include "tools/sse-publish/demo.hpp"

#include "common/auth/seed_key.hpp"
#include "common/redis/publish_script.hpp"
#include "common/redis/sync_client.hpp"
#include "common/sha256.hpp"

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include <signal.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ssegw::publish {
namespace {

// The demo key reads streams and manages the demo user's webhook.
auth::key_record demo_key_record(std::string const& user) {
    return {.user = user, .scopes = "device:read analytics:read webhook:read webhook:write"};
}

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr char hex_digits[] = "0123456789abcdef";

std::string to_hex(unsigned char const* p, std::size_t n) {
    std::string out;
    out.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        out += hex_digits[p[i] >> 4];
        out += hex_digits[p[i] & 0x0f];
    }
    return out;
}

template <std::size_t N>
std::array<unsigned char, N> random_bytes() {
    std::array<unsigned char, N> b{};
    if (RAND_bytes(b.data(), static_cast<int>(N)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return b;
}

// 8-4-4-4-12 from 32 hex digits, with the RFC 9562 version and variant set.
std::string uuid_from_hex(std::string h, char version) {
    h[12] = version;
    h[16] = "89ab"[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3];
    return h.substr(0, 8) + '-' + h.substr(8, 4) + '-' + h.substr(12, 4) + '-' + h.substr(16, 4) + '-' +
           h.substr(20, 12);
}

std::string random_uuid() {
    auto const b = random_bytes<16>();
    return uuid_from_hex(to_hex(b.data(), b.size()), '4');
}

// Stable across runs, so a dashboard keeps its scene when the demo restarts: a UUIDv8
// (RFC 9562's vendor-specific version) cut from a SHA-256 of the name.
std::string stable_uuid(std::string const& name) {
    return uuid_from_hex(sha256_hex(name).substr(0, 32), '8');
}

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
    auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    time_t const secs = static_cast<time_t>(ms / 1000);
    tm utc{};
    gmtime_r(&secs, &utc);
    char date[24];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
    return std::string(date) + millis;
}

// Divides by an exact power of ten, so the result is the double nearest the decimal and
// prints as 0.83, not 0.8300000000000001.
double round_decimals(double v, int decimals) {
    double const scale = std::pow(10.0, decimals);
    return std::round(v * scale) / scale;
}

// One camera watching a queue. The queue is a mean-reverting random walk around a baseline
// that itself drifts, so live counts and waiting times move smoothly, like a real counter.
struct device_sim {
    std::string id;
    std::string scene_id;
    double queue = 0;      // people waiting
    double baseline = 0;   // the level the queue drifts back to
    double service_s = 0;  // seconds each waiting person adds to the wait
};

// Builds synthetic results round-robin over the devices: docs/PRODUCERS.md's result shape plus the
// "metrics" the dashboards chart.
class result_generator {
public:
    result_generator(std::vector<std::string> const& device_ids, std::string const& user)
        : rng_(std::random_device{}()) {
        for (auto const& id : device_ids) {
            device_sim d;
            d.id = id;
            d.scene_id = stable_uuid("scene:" + user + ":" + id);
            d.baseline = uniform(2, 9);
            d.queue = d.baseline;
            d.service_s = uniform(25, 50);
            devices_.push_back(std::move(d));
        }
    }

    /// The next device and its result, one JSON object on one line.
    std::pair<std::string, std::string> next() {
        device_sim& d = devices_[next_];
        next_ = (next_ + 1) % devices_.size();

        d.baseline = std::clamp(d.baseline + normal(0.15), 1.0, 12.0);
        d.queue = std::clamp(d.queue + 0.1 * (d.baseline - d.queue) + normal(0.6), 0.0, 20.0);
        int const queue = static_cast<int>(std::lround(d.queue));
        double const wait = round_decimals(queue * d.service_s * uniform(0.85, 1.15), 1);

        // The detector sees about the queue, now and then missing someone or catching a passer-by.
        int const persons = std::clamp(queue + uniform_int(-1, 1), 0, 8);
        int const objects = uniform_int(0, 3) == 0 ? uniform_int(1, 2) : 0;

        auto detections = nlohmann::ordered_json::array();
        for (int i = 0; i < persons; ++i) {
            int const w = uniform_int(60, 110);
            int const h = static_cast<int>(w * uniform(2.3, 2.9));
            int const x = std::clamp(140 + 200 * i + uniform_int(-30, 30), 0, 1920 - w);
            int const y = uniform_int(250, 1080 - h - 10);
            detections.push_back({{"type", "person"},
                                  {"confidence", round_decimals(uniform(0.6, 0.99), 2)},
                                  {"boundingBox", {{"x", x}, {"y", y}, {"width", w}, {"height", h}}}});
        }
        static constexpr std::array<char const*, 5> labels{"bag", "suitcase", "cart", "stroller", "umbrella"};
        for (int i = 0; i < objects; ++i) {
            int const w = uniform_int(40, 160);
            int const h = uniform_int(40, 160);
            detections.push_back(
                {{"type", "object"},
                 {"confidence", round_decimals(uniform(0.5, 0.95), 2)},
                 {"boundingBox",
                  {{"x", uniform_int(0, 1920 - w)}, {"y", uniform_int(400, 1080 - h)}, {"width", w}, {"height", h}}},
                 {"attributes", {{"label", labels[static_cast<std::size_t>(uniform_int(0, labels.size() - 1))]}}}});
        }

        nlohmann::ordered_json result;
        result["deviceId"] = d.id;
        result["analysisId"] = random_uuid();
        result["sceneId"] = d.scene_id;
        result["timestamp"] = utc_timestamp(std::chrono::system_clock::now());
        result["detections"] = std::move(detections);
        result["metrics"] = {{"queueLength", queue}, {"avgWaitSeconds", wait}};
        return {d.id, result.dump()};
    }

private:
    double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng_); }
    int uniform_int(int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng_); }
    double normal(double sigma) { return std::normal_distribution<double>(0, sigma)(rng_); }

    std::mt19937_64 rng_;
    std::vector<device_sim> devices_;
    std::size_t next_ = 0;
};

// SIGINT/SIGTERM are blocked and taken with sigtimedwait, which doubles as the pacing sleep:
// no async handler, and a signal ends the wait at once. Left blocked on return: the demo is
// the end of the process, and a late signal must not turn exit 0 into a kill.
class stop_signals {
public:
    stop_signals() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    }

    /// Sleeps until `deadline` (at least polls once); true if a stop signal arrived.
    bool wait_until(steady::time_point deadline) {
        for (;;) {
            auto const left = std::max(steady::duration::zero(), deadline - steady::now());
            auto const secs = std::chrono::duration_cast<std::chrono::seconds>(left);
            timespec ts{};
            ts.tv_sec = static_cast<time_t>(secs.count());
            ts.tv_nsec = static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(left - secs).count());
            if (sigtimedwait(&set_, nullptr, &ts) > 0)
                return true;
            if (errno == EINTR)
                continue;
            if (steady::now() >= deadline)
                return false;
        }
    }

private:
    sigset_t set_{};
};

} // namespace

int run_demo(demo_options const& opt) {
    stop_signals stop;

    std::string key = opt.key;
    if (key.empty()) {
        auto const b = random_bytes<32>();
        key = "sk_demo_" + to_hex(b.data(), b.size());
    }
    std::string const key_hash = sha256_hex(key);
    std::vector<std::string> devices;
    for (unsigned i = 1; i <= opt.devices; ++i)
        devices.push_back(opt.user + "-cam-" + std::to_string(i));

    std::optional<redis::sync_client> redis;
    try {
        redis.emplace(opt.redis);
        auth::seed_key(*redis, key_hash, demo_key_record(opt.user), devices);
    } catch (redis::sync_error const& e) {
        std::cerr << "sse-publish: " << e.what() << '\n';
        return 1;
    }

    std::string joined;
    for (auto const& d : devices)
        joined += (joined.empty() ? "" : ",") + d;
    std::cout << "key=" << key << "\nuser=" << opt.user << "\ndevices=" << joined << std::endl;

    result_generator gen(devices, opt.user);
    auto const period = std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(1.0 / opt.rate));
    auto next = steady::now();
    std::uint64_t published = 0;
    bool outage = false;
    while (opt.count == 0 || published < opt.count) {
        if (stop.wait_until(next))
            return 0;
        // After a stall (slow Redis, an outage) keep the pace rather than burst to catch up.
        auto const now = steady::now();
        if (now - next > 1s)
            next = now;
        next += period;
        try {
            if (!redis) {
                // Re-seed on every new connection: a restarted Redis may have lost the key.
                redis.emplace(opt.redis);
                auth::seed_key(*redis, key_hash, demo_key_record(opt.user), devices);
                std::cerr << "sse-publish: redis is back\n";
                outage = false;
            }
            auto const [device, json] = gen.next();
            auto const ids = redis::publish_result(*redis, device, opt.user, json, opt.maxlen);
            ++published;
            if (opt.verbose)
                std::cerr << device << ' ' << ids.device_id << ' ' << ids.user_id << '\n';
        } catch (redis::sync_error const& e) {
            if (!outage)
                std::cerr << "sse-publish: " << e.what() << "; retrying every second\n";
            outage = true;
            redis.reset();
            next = steady::now() + 1s;
        }
    }
    return 0;
}

} // namespace ssegw::publish

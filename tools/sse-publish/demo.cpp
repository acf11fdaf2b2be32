#include "tools/sse-publish/demo.hpp"

#include "common/auth/seed_key.hpp"
#include "common/ids/uuid.hpp"
#include "common/redis/publish_script.hpp"
#include "common/redis/sync_client.hpp"
#include "common/sha256.hpp"
#include "tools/sse-publish/event_mode.hpp"
#include "webhooks/events/event_input.hpp"

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
    // Between its device_offline and device_online events. Its results go on: a dashboard or test
    // watching every device must not wait out a demo outage.
    bool online = true;
    steady::time_point offline_since;
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

    std::vector<device_sim>& devices() { return devices_; }

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

// Platform events for the demo user's webhook, one per call, in a cycle over the catalogue's
// everyday types: alerts from the simulated queues (a queue-length rule), a device going offline
// and coming back, a quota warning. Realistic data, as docs/WEBHOOKS.md
// shows it; each checked as `--event` checks one, with a new UUIDv7 and Redis's time.
class event_generator {
public:
    event_generator(result_generator& results, std::string user) : results_(results), user_(std::move(user)) {}

    /// The next event of the cycle, or nullopt when its step has nothing to report this time.
    std::optional<webhooks::event_fields> next() {
        static constexpr std::array<std::string_view, 6> cycle{"alert_triggered", "device_offline", "alert_triggered",
                                                               "device_online",   "quota_warning",  "alert_triggered"};
        std::string_view const type = cycle[step_++ % cycle.size()];
        std::optional<nlohmann::ordered_json> data = type == "alert_triggered" ? alert()
                                                   : type == "device_offline"  ? offline()
                                                   : type == "device_online"   ? online()
                                                                               : quota();
        if (!data) return std::nullopt;
        webhooks::event_flags flags;  // device, scene from the data; a new UUIDv7; Redis's time
        flags.type = type;
        flags.user = user_;
        std::string error;
        auto e = webhooks::make_event(flags, data->dump(), error);
        if (!e) throw std::logic_error("demo event " + std::string(type) + ": " + error);
        return e;
    }

private:
    static constexpr int queue_threshold = 4;  // the demo's alert rule: queue length above 4

    // The online device with the longest queue, if that breaks the rule.
    std::optional<nlohmann::ordered_json> alert() {
        device_sim const* top = nullptr;
        for (auto const& d : results_.devices())
            if (d.online && (!top || d.queue > top->queue)) top = &d;
        int const queue = top ? static_cast<int>(std::lround(top->queue)) : 0;
        if (queue <= queue_threshold) return std::nullopt;
        std::string const alert_id = ids::make_uuid7();
        return nlohmann::ordered_json{
            {"alertEventId", alert_id},
            {"ruleId", stable_uuid("rule:" + user_ + ":queue")},
            {"ruleName", "Queue too long"},
            {"sceneId", top->scene_id},
            {"sceneName", "Checkout queue (" + top->id + ")"},
            {"deviceId", top->id},
            {"severity", queue > 2 * queue_threshold ? "critical" : "warning"},
            {"metricPath", "current.inQueue"},
            {"operator", "GT"},
            {"threshold", queue_threshold},
            {"actualValue", queue},
            {"message", "Queue length (" + std::to_string(queue) + ") above threshold (" +
                            std::to_string(queue_threshold) + ")"},
            {"snapshotUrls", {"https://storage.example.com/snapshots/" + alert_id + ".jpg"}}};
    }

    // The next device in turn goes offline (a demo with one device keeps it online).
    std::optional<nlohmann::ordered_json> offline() {
        auto& devices = results_.devices();
        if (devices.size() < 2) return std::nullopt;
        device_sim& d = devices[offline_turn_++ % devices.size()];
        d.online = false;
        d.offline_since = steady::now();
        auto const last_seen = std::chrono::system_clock::now() - 30s;  // the heartbeat timeout
        return nlohmann::ordered_json{{"deviceId", d.id},
                                      {"sceneId", d.scene_id},
                                      {"reason", "heartbeat_timeout"},
                                      {"lastSeenAt", utc_timestamp(last_seen)}};
    }

    std::optional<nlohmann::ordered_json> online() {
        for (auto& d : results_.devices()) {
            if (d.online) continue;
            d.online = true;
            auto const away = std::chrono::duration_cast<std::chrono::seconds>(steady::now() - d.offline_since);
            return nlohmann::ordered_json{
                {"deviceId", d.id}, {"sceneId", d.scene_id}, {"offlineSeconds", away.count() + 30}};
        }
        return std::nullopt;
    }

    // The user's monthly analysis minutes, creeping past the 80 % warning level.
    std::optional<nlohmann::ordered_json> quota() {
        constexpr int limit = 6000;
        used_ += 37;
        if (used_ >= limit) used_ = limit * 8 / 10;
        return nlohmann::ordered_json{{"quotaType", "analysisMinutes"},
                                      {"used", used_},
                                      {"limit", limit},
                                      {"usagePercent", round_decimals(100.0 * used_ / limit, 1)},
                                      {"warningPercent", 80}};
    }

    result_generator& results_;
    std::string user_;
    std::size_t step_ = 0;
    std::size_t offline_turn_ = 0;
    int used_ = 4800;
};

constexpr auto event_period = 3s;                  // one platform event every few seconds
constexpr std::uint64_t event_backlog_cap = 100'000;  // a demo nobody delivers for stops adding events there

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
    event_generator events(gen, opt.user);
    auto const period = std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(1.0 / opt.rate));
    auto next = steady::now();
    auto next_event = next + event_period;  // not at once: a --count run that seeds a key publishes none
    std::uint64_t published = 0;
    bool outage = false;
    while (opt.count == 0 || published < opt.count) {
        bool const event_turn = next_event < next;
        auto& due = event_turn ? next_event : next;
        if (stop.wait_until(due))
            return 0;
        // After a stall (slow Redis, an outage) keep the pace rather than burst to catch up.
        auto const now = steady::now();
        if (now - due > 1s)
            due = now;
        due += event_turn ? event_period : period;
        try {
            if (!redis) {
                // Re-seed on every new connection: a restarted Redis may have lost the key.
                redis.emplace(opt.redis);
                auth::seed_key(*redis, key_hash, demo_key_record(opt.user), devices);
                std::cerr << "sse-publish: redis is back\n";
                outage = false;
            }
            if (event_turn) {
                if (auto e = events.next())
                    publish_one_event(*redis, *e, event_backlog_cap, "demo: ");
                continue;
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

// sse-publish: the producer side of docs/PRODUCERS.md as a command-line tool. Publishes one
// result, a stream of JSON lines, (--demo) synthetic results for a seeded demo user, or (--event)
// platform events for webhooks.
#include "common/flags/flags.hpp"
#include "common/redis/publish_script.hpp"
#include "common/redis/sync_client.hpp"
#include "common/redis/url.hpp"
#include "tools/sse-publish/demo.hpp"
#include "tools/sse-publish/event_mode.hpp"
#include "webhooks/events/publish_event_script.hpp"

#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace ssegw;

constexpr char const* about = R"(Usage: sse-publish [FLAGS] RESULT_JSON     publish one result
       sse-publish [FLAGS] < results.jsonl  publish one result per line
       sse-publish --demo [FLAGS]           seed a demo user, publish synthetic results
                                            and webhook events
       sse-publish --print-script           print the publish Lua script
       sse-publish --event TYPE --user ID [--device ID] [--scene ID] [--event-id UUID]
                   [--timestamp TIME] [DATA_JSON]
                                            publish a webhook event (no DATA_JSON: one
                                            per stdin line)
       sse-publish --print-event-script     print the webhook event Lua script

Publishes analysis results the way sse-gateway reads them (docs/PRODUCERS.md): one Lua
script XADDs to the device and user replay logs and PUBLISHes to both channels, atomically.
Prints "<device-log-id> <user-log-id>" per published result. The result's bytes are
published as given (surrounding whitespace trimmed; a multi-line document is compacted).

With --event, publishes a platform event for a user's webhook into webhook:events and
prints its event id. The event id is the idempotency key: the same user's same id within
24 h adds nothing (the id is printed, "duplicate" said on stderr, exit 0). The data is
stored as ECMAScript's JSON.stringify(JSON.parse(data)) writes it.)";

constexpr char const* exit_status = R"(Exit status: 0 ok; 1 Redis error or a malformed input line (reported on stderr and
skipped); 2 bad flag or value.
With --event: 0 ok (duplicates included); 1 Redis error or BACKLOG_FULL (stops there);
2 bad flag or input (a bad stdin line is reported on stderr and skipped).)";

struct options {
    std::string redis_url = "redis://127.0.0.1:6379/0";
    redis::endpoint redis;
    std::optional<std::string> user, device, key;
    std::optional<std::string> event, scene, event_id, timestamp;
    std::uint64_t max_backlog = 1'000'000;
    bool print_event_script = false;
    std::optional<unsigned> devices;
    std::optional<std::uint64_t> count;
    std::optional<double> rate;
    unsigned maxlen = 1000;
    bool demo = false, verbose = false, print_script = false;
    std::vector<std::string> positional;
};

std::string printable_token(std::string const& s) {
    bool ok = !s.empty() && s.size() <= 512;
    for (unsigned char c : s) ok = ok && c > 0x20 && c < 0x7f;
    return ok ? "" : "must be 1-512 printable ASCII characters without spaces";
}

// A demo-only value: kept unset when not given, so that run() knows the demo's own default applies.
template <class T>
CLI::Option* add_optional(CLI::App& app, std::string const& name, std::optional<T>& into, std::string const& help) {
    return app.add_option_function<T>(name, [&into](T const& v) { into = v; }, help);
}

// Fills `opt`; a result that is not ok is --help or a bad flag, to print and exit with.
flags::result parse_args(int argc, char** argv, options& opt) {
    flags::command_line cl("sse-publish", about, exit_status);
    CLI::App& app = cl.app();
    auto not_empty = CLI::Validator([](std::string& v) { return v.empty() ? std::string("must not be empty") : ""; }, "");

    flags::add_redis(app, opt.redis_url, opt.redis);
    add_optional(app, "--user", opt.user,
                 "user whose stream gets the results, or whose webhook gets the event; required (demo: demo-user)")
        ->type_name("ID")->check(not_empty);
    // Not checked here: with --event, "" means no device.
    add_optional(app, "--device", opt.device,
                 "device of the results; default: each result's \"deviceId\" (--event: \"\" = none)")
        ->type_name("ID");
    auto* maxlen = app.add_option("--maxlen", opt.maxlen, "approximate length each replay log is trimmed to")
        ->type_name("N")->transform(flags::whole_number(1, 1'000'000'000))->capture_default_str();
    app.add_flag("--demo", opt.demo,
                 "seed apikey:<sha256(key)> and user:<user>:devices, print key=, user=, devices= lines, "
                 "then publish until SIGINT/SIGTERM: results, and every 3 s a webhook event (alert_triggered, "
                 "device_offline, device_online, quota_warning) as --event does");
    add_optional(app, "--devices", opt.devices, "demo: number of devices, named <user>-cam-<i>")
        ->type_name("N")->transform(flags::whole_number(1, 10'000))->default_str("3");
    add_optional(app, "--rate", opt.rate, "demo: results per second, round-robin over devices")
        ->type_name("R")->check(flags::number(0.001, 1'000'000))->default_str("2");
    add_optional(app, "--count", opt.count, "demo: exit 0 after N results")
        ->type_name("N")->transform(flags::whole_number(1, std::numeric_limits<std::int64_t>::max()));
    add_optional(app, "--key", opt.key, "demo: use this API key instead of a random sk_demo_ one")
        ->type_name("K")->check(CLI::Validator([](std::string& v) { return printable_token(v); }, ""));
    app.add_flag("--verbose", opt.verbose, "demo: log \"<device> <device-log-id> <user-log-id>\" on stderr per result");
    app.add_flag("--print-script", opt.print_script, "print the Lua script, for producers in other languages");
    add_optional(app, "--event", opt.event, "publish a webhook event of this type (one of the catalogue's 15)")
        ->type_name("TYPE");
    add_optional(app, "--scene", opt.scene, "event: its scene; default: data's \"sceneId\" (\"\" = none)")
        ->type_name("ID");
    add_optional(app, "--event-id", opt.event_id, "event: its id, any UUID (stored lowercase); default: a new UUIDv7")
        ->type_name("UUID");
    add_optional(app, "--timestamp", opt.timestamp,
                 "event: its time, ISO 8601 with Z or +HH:MM; default: Redis's clock at publish")
        ->type_name("TIME");
    auto* max_backlog = app.add_option("--max-backlog", opt.max_backlog,
                                       "event: refuse (BACKLOG_FULL) while webhook:events holds N entries or more")
        ->type_name("N")->transform(flags::whole_number(1, std::numeric_limits<std::int64_t>::max()))
        ->capture_default_str();
    app.add_flag("--print-event-script", opt.print_event_script,
                 "print the webhook event Lua script, for producers in other languages");
    app.add_option("result", opt.positional,
                   "one result (JSON), or with --event one event's data; without it, JSON lines are read from stdin");

    auto r = cl.parse(argc, argv);
    if (!r.ok || opt.print_script || opt.print_event_script) return r;
    auto bad = [&cl](std::string const& what) { return cl.error(what + " (see --help)"); };
    if (opt.event) {
        if (opt.demo) return bad("--demo does not go with --event");
        if (maxlen->count() > 0) return bad("--maxlen does not go with --event (events are never trimmed)");
    } else {
        for (auto [flag, set] : {std::pair{"--scene", opt.scene.has_value()},
                                 {"--event-id", opt.event_id.has_value()},
                                 {"--timestamp", opt.timestamp.has_value()},
                                 {"--max-backlog", max_backlog->count() > 0}})
            if (set) return bad(std::string(flag) + " only goes with --event");
        if (opt.device && opt.device->empty()) return cl.error("--device: must not be empty");
    }
    if (opt.demo) {
        if (!opt.positional.empty()) return bad("--demo takes no result argument");
        if (opt.device) return bad("--device does not go with --demo (use --devices N)");
        return r;
    }
    for (auto [flag, set] : {std::pair{"--devices", opt.devices.has_value()}, {"--count", opt.count.has_value()},
                             {"--rate", opt.rate.has_value()}, {"--key", opt.key.has_value()},
                             {"--verbose", opt.verbose}})
        if (set) return bad(std::string(flag) + " only goes with --demo");
    if (opt.positional.size() > 1)
        return bad(std::string(opt.event ? "one data argument" : "one result argument") + " at most (got " +
                   std::to_string(opt.positional.size()) + "); pipe many as JSON lines on stdin");
    if (!opt.user) return bad("--user is required");
    return r;
}

bool json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Drops whitespace outside strings. Only for multi-line documents: a raw CR or LF in `data`
// would split the SSE data line. Numbers and key order stay exactly as written.
std::string compact(std::string_view json) {
    std::string out;
    out.reserve(json.size());
    bool in_string = false, escaped = false;
    for (char c : json) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (json_space(c)) {
            continue;
        } else if (c == '"') {
            in_string = true;
        }
        out += c;
    }
    return out;
}

struct prepared_result {
    std::string device;
    std::string data;
};

// Validates one result and settles its device; returns nullopt with the reason in `error`.
std::optional<prepared_result> prepare(std::string_view text, std::optional<std::string> const& device_flag,
                                       std::string& error) {
    while (!text.empty() && json_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && json_space(text.back()))
        text.remove_suffix(1);
    auto const j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        error = "not valid JSON";
        return std::nullopt;
    }
    if (!j.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    prepared_result r;
    if (auto it = j.find("deviceId"); it != j.end()) {
        if (!it->is_string() || it->get_ref<std::string const&>().empty()) {
            error = "\"deviceId\" must be a non-empty string";
            return std::nullopt;
        }
        r.device = it->get<std::string>();
        if (device_flag && *device_flag != r.device) {
            error = "\"deviceId\" is '" + r.device + "' but --device is '" + *device_flag + "'";
            return std::nullopt;
        }
    } else if (device_flag) {
        r.device = *device_flag;
    } else {
        error = "no \"deviceId\" in the result and no --device";
        return std::nullopt;
    }
    bool const multi_line = text.find_first_of("\r\n") != std::string_view::npos;
    r.data = multi_line ? compact(text) : std::string(text);
    return r;
}

void print_ids(redisReply const* r) {
    std::cout << std::string_view(r->element[0]->str, r->element[0]->len) << ' '
              << std::string_view(r->element[1]->str, r->element[1]->len) << '\n';
}

bool is_ids_reply(redisReply const* r) {
    return r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING &&
           r->element[1]->type == REDIS_REPLY_STRING;
}

// Publishes JSON lines from stdin. Whatever one read() returns goes out as one pipeline, so a
// bulk load is fast and an interactive producer's line is published at once.
class line_publisher {
public:
    line_publisher(redis::sync_client& redis, options const& opt) : redis_(redis), opt_(opt) {
        // Loaded up front so the pipeline can EVALSHA; NOSCRIPT later (SCRIPT FLUSH) falls back.
        sha_ = redis::load_publish_script(redis_);
    }

    /// Returns the exit code.
    int run() {
        std::string partial;
        bool overlong = false;
        char buf[1 << 16];
        for (;;) {
            ssize_t const n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                std::cerr << "sse-publish: reading stdin: " << std::strerror(errno) << '\n';
                return 1;
            }
            if (n == 0)
                break;
            std::string_view chunk(buf, static_cast<std::size_t>(n));
            for (auto nl = chunk.find('\n'); nl != std::string_view::npos; nl = chunk.find('\n')) {
                if (overlong)
                    report(++line_, "longer than 16 MiB");
                else if (partial.empty())
                    take(++line_, chunk.substr(0, nl));
                else {
                    partial.append(chunk.substr(0, nl));
                    take(++line_, partial);
                    partial.clear();
                }
                overlong = false;
                chunk.remove_prefix(nl + 1);
            }
            if (!overlong) {
                partial.append(chunk);
                if (partial.size() > max_line) {
                    overlong = true;
                    partial.clear();
                    partial.shrink_to_fit();
                }
            }
            flush();
        }
        if (overlong)
            report(++line_, "longer than 16 MiB");
        else if (!partial.empty())
            take(++line_, partial);  // a last line without its newline
        flush();
        return bad_ ? 1 : 0;
    }

private:
    static constexpr std::size_t max_line = 16u << 20;
    static constexpr std::size_t max_batch = 512;

    struct pending {
        std::size_t line;
        prepared_result result;
    };

    void report(std::size_t line, std::string_view why) {
        std::cerr << "sse-publish: line " << line << ": " << why << ", skipped\n";
        bad_ = true;
    }

    void take(std::size_t line, std::string_view text) {
        if (text.find_first_not_of(" \t\r") == std::string_view::npos)
            return;  // blank lines separate nothing in JSON lines; not an error
        std::string error;
        auto r = prepare(text, opt_.device, error);
        if (!r)
            return report(line, error);
        batch_.push_back({line, std::move(*r)});
        if (batch_.size() >= max_batch)
            flush();
    }

    // All replies are read before any fallback: publish_result must not run mid-pipeline.
    void flush() {
        if (batch_.empty())
            return;
        for (auto const& p : batch_)
            redis_.append(redis::publish_command(sha_, p.result.device, *opt_.user, p.result.data, opt_.maxlen));
        std::vector<redis::reply_ptr> replies;
        replies.reserve(batch_.size());
        for (std::size_t i = 0; i < batch_.size(); ++i)
            replies.push_back(redis_.get_reply());
        for (std::size_t i = 0; i < batch_.size(); ++i) {
            redisReply const* r = replies[i].get();
            std::string_view const err = r->type == REDIS_REPLY_ERROR ? std::string_view(r->str, r->len) : "";
            if (err.substr(0, 8) == "NOSCRIPT") {
                auto const& p = batch_[i].result;
                try {
                    auto ids = redis::publish_result(redis_, p.device, *opt_.user, p.data, opt_.maxlen);
                    std::cout << ids.device_id << ' ' << ids.user_id << '\n';
                } catch (redis::sync_error const& e) {
                    report(batch_[i].line, e.what());
                }
            } else if (!err.empty()) {
                report(batch_[i].line, "redis: " + std::string(err));
            } else if (!is_ids_reply(r)) {
                report(batch_[i].line, "unexpected reply from the publish script");
            } else {
                print_ids(r);
            }
        }
        batch_.clear();
        std::cout.flush();
    }

    redis::sync_client& redis_;
    options const& opt_;
    std::string sha_;
    std::vector<pending> batch_;
    std::size_t line_ = 0;
    bool bad_ = false;
};

int run(options const& opt) {
    if (opt.event) {
        publish::event_options e;
        e.redis = opt.redis;
        e.flags = {*opt.event, *opt.user, opt.device, opt.scene, opt.event_id, opt.timestamp};
        if (!opt.positional.empty()) e.data = opt.positional.front();
        e.max_backlog = opt.max_backlog;
        return publish::run_events(e);
    }
    if (opt.demo) {
        publish::demo_options d;
        d.redis = opt.redis;
        d.user = opt.user.value_or("demo-user");
        d.key = opt.key.value_or("");
        d.devices = opt.devices.value_or(3);
        d.count = opt.count.value_or(0);
        d.rate = opt.rate.value_or(2.0);
        d.maxlen = opt.maxlen;
        d.verbose = opt.verbose;
        return publish::run_demo(d);
    }

    if (!opt.positional.empty()) {
        std::string error;
        auto r = prepare(opt.positional.front(), opt.device, error);
        if (!r) {
            std::cerr << "sse-publish: the result argument: " << error << '\n';
            return 2;
        }
        redis::sync_client redis(opt.redis);
        auto ids = redis::publish_result(redis, r->device, *opt.user, r->data, opt.maxlen);
        std::cout << ids.device_id << ' ' << ids.user_id << std::endl;
        return 0;
    }

    if (::isatty(STDIN_FILENO))
        std::cerr << "sse-publish: reading JSON lines from stdin (Ctrl-D ends; --help for usage)\n";
    redis::sync_client redis(opt.redis);
    return line_publisher(redis, opt).run();
}

} // namespace

int main(int argc, char** argv) {
    // hiredis writes with write(): a Redis that went away must be an error reply, not SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);

    options opt;
    if (auto r = parse_args(argc, argv, opt); !r.ok) {
        (r.exit_code == 0 ? std::cout : std::cerr) << r.message << (r.exit_code == 0 ? "" : "\n");
        return r.exit_code;
    }
    if (opt.print_script) {
        std::cout << redis::publish_script_source();
        return 0;
    }
    if (opt.print_event_script) {
        std::cout << webhooks::publish_event_script_source();
        return 0;
    }
    try {
        int const rc = run(opt);
        std::cout.flush();
        return std::cout ? rc : 1;
    } catch (std::exception const& e) {
        std::cerr << "sse-publish: " << e.what() << '\n';
        return 1;
    }
}

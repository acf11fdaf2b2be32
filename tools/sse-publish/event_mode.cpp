#include "tools/sse-publish/event_mode.hpp"

#include "common/redis/sync_client.hpp"

#include <unistd.h>

#include <iostream>
#include <string_view>

namespace ssegw::publish {
namespace {

class event_publisher {
public:
    explicit event_publisher(event_options const& opt) : opt_(opt) {}

    /// Publishes one checked event and prints its id; `where` prefixes messages. Returns the exit code.
    int publish(webhooks::event_fields const& e, std::string const& where) {
        // Connected at the first event: input refused before then never needs Redis.
        if (!redis_) redis_.emplace(opt_.redis);
        int const rc = publish_one_event(*redis_, e, opt_.max_backlog, where);
        if (rc == 0) std::cout << e.event_id << std::endl;  // at once: a live producer waits for it
        return rc;
    }

private:
    event_options const& opt_;
    std::optional<redis::sync_client> redis_;
};

} // namespace

int publish_one_event(redis::sync_client& redis, webhooks::event_fields const& e, std::uint64_t max_backlog,
                      std::string const& where) {
    auto const out = webhooks::publish_event(redis, e, max_backlog);
    switch (out.status) {
    case webhooks::publish_status::added:
        break;
    case webhooks::publish_status::duplicate:
        std::cerr << "sse-publish: " << where << "event " << e.event_id << ": duplicate (published as "
                  << out.entry_id << " within the last 24 h), nothing added\n";
        break;
    case webhooks::publish_status::bad_event:
        std::cerr << "sse-publish: " << where << out.error << '\n';
        return 2;
    case webhooks::publish_status::backlog_full:
        std::cerr << "sse-publish: " << where << "BACKLOG_FULL: webhook:events holds " << max_backlog
                  << " entries or more (--max-backlog); nothing added\n";
        return 1;
    }
    return 0;
}

int run_events(event_options const& opt) {
    std::string error;
    auto const t = webhooks::check_event_flags(opt.flags, error);
    if (!t) {
        std::cerr << "sse-publish: " << error << '\n';
        return 2;
    }
    event_publisher pub(opt);
    if (opt.data) {
        auto e = webhooks::assemble_event(*t, *opt.data, error);
        if (!e) {
            std::cerr << "sse-publish: " << error << '\n';
            return 2;
        }
        return pub.publish(*e, "");
    }

    if (::isatty(STDIN_FILENO))
        std::cerr << "sse-publish: reading one event's data JSON per line from stdin (Ctrl-D ends; --help for usage)\n";
    int rc = 0;
    std::string line;
    for (std::size_t n = 1; std::getline(std::cin, line); ++n) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines separate nothing
        std::string const where = "line " + std::to_string(n) + ": ";
        auto e = webhooks::assemble_event(*t, line, error);
        if (!e) {
            std::cerr << "sse-publish: " << where << error << ", skipped\n";
            rc = 2;
            continue;
        }
        // A full backlog stays full for the lines after: stop, the printed ids say what went in.
        if (int const r = pub.publish(*e, where); r == 1) return 1;
        else if (r != 0) rc = r;
    }
    return rc;
}

} // namespace ssegw::publish

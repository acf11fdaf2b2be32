#include "common/redis/sync_client.hpp"

#include <sys/time.h>

namespace ssegw::redis {
namespace {

timeval to_timeval(std::chrono::milliseconds t) {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(t.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((t.count() % 1000) * 1000);
    return tv;
}

std::string describe(endpoint const& ep) {
    bool const ipv6 = ep.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port);
}

// Names the command in errors by its first word only: later arguments may be secrets (AUTH).
std::string command_name(std::string_view first) {
    return first.size() <= 32 ? std::string(first) : std::string(first.substr(0, 32)) + "...";
}

std::string io_error(redisContext const* c, std::string_view what) {
    std::string msg = what.empty() ? "redis: " : "redis " + command_name(what) + ": ";
    msg += c->err ? c->errstr : "no reply";
    return msg;
}

// hiredis' argv form: binary-safe, nothing is formatted or escaped.
struct argv_list {
    std::vector<char const*> argv;
    std::vector<std::size_t> lens;
    int argc() const noexcept { return static_cast<int>(argv.size()); }
};

template <class Range>
argv_list make_argv(Range const& args) {
    if (args.size() == 0)
        throw sync_error("redis: empty command");
    argv_list a;
    a.argv.reserve(args.size());
    a.lens.reserve(args.size());
    for (auto const& s : args) {
        a.argv.push_back(s.data());
        a.lens.push_back(s.size());
    }
    return a;
}

reply_ptr run(redisContext* c, argv_list& a) {
    std::string_view const name(a.argv[0], a.lens[0]);
    reply_ptr r(static_cast<redisReply*>(redisCommandArgv(c, a.argc(), a.argv.data(), a.lens.data())));
    if (!r)
        throw sync_error(io_error(c, name));  // the context is unusable from here on
    if (r->type == REDIS_REPLY_ERROR)
        throw sync_error("redis " + command_name(name) + ": " + std::string(r->str, r->len));
    return r;
}

} // namespace

sync_client::sync_client(endpoint const& ep, std::chrono::milliseconds timeout) {
    // A zero timeout means "block forever", as hiredis' own redisConnect does.
    bool const timed = timeout.count() > 0;
    ctx_.reset(timed ? redisConnectWithTimeout(ep.host.c_str(), ep.port, to_timeval(timeout))
                     : redisConnect(ep.host.c_str(), ep.port));
    if (!ctx_)
        throw sync_error("redis " + describe(ep) + ": cannot allocate a connection");
    if (ctx_->err)
        throw sync_error("redis " + describe(ep) + ": " + ctx_->errstr);
    if (timed && redisSetTimeout(ctx_.get(), to_timeval(timeout)) != REDIS_OK)
        throw sync_error("redis " + describe(ep) + ": cannot set the socket timeout");
    try {
        if (!ep.password.empty())
            command({"AUTH", ep.password});
        if (ep.db != 0)
            command({"SELECT", std::to_string(ep.db)});
    } catch (sync_error const& e) {
        std::string_view msg = e.what();
        if (msg.substr(0, 6) == "redis ")
            msg.remove_prefix(6);
        throw sync_error("redis " + describe(ep) + ": " + std::string(msg));
    }
}

reply_ptr sync_client::command(std::vector<std::string> const& args) {
    auto a = make_argv(args);
    return run(ctx_.get(), a);
}

reply_ptr sync_client::command(std::initializer_list<std::string_view> args) {
    auto a = make_argv(args);
    return run(ctx_.get(), a);
}

void sync_client::append(std::vector<std::string> const& args) {
    auto a = make_argv(args);
    if (redisAppendCommandArgv(ctx_.get(), a.argc(), a.argv.data(), a.lens.data()) != REDIS_OK)
        throw sync_error(io_error(ctx_.get(), args.front()));
}

reply_ptr sync_client::get_reply() {
    void* raw = nullptr;
    if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || !raw) {
        reply_ptr discard(static_cast<redisReply*>(raw));
        throw sync_error(io_error(ctx_.get(), {}));
    }
    return reply_ptr(static_cast<redisReply*>(raw));
}

} // namespace ssegw::redis

#include "common/redis/client.hpp"

#include "common/jitter.hpp"
#include "common/log.hpp"
#include "common/redis/asio_adapter.hpp"


namespace ssegw::redis {
namespace {

constexpr std::chrono::milliseconds backoff_min{100};
constexpr std::chrono::milliseconds backoff_max{5000};

client* owner(redisAsyncContext const* ac) { return static_cast<client*>(ac->data); }

// The C boundary: no exception may cross into hiredis.
void on_reply(redisAsyncContext*, void* r, void* privdata) {
    std::unique_ptr<client::reply_handler> h(static_cast<client::reply_handler*>(privdata));
    try {
        (*h)(static_cast<redisReply*>(r));
    } catch (std::exception const& e) {
        log::error("redis reply handler threw", {{"error", e.what()}});
    } catch (...) {
        log::error("redis reply handler threw");
    }
}

} // namespace

client::client(net::any_io_executor ex, endpoint ep, std::string name)
    : ex_(std::move(ex)), ep_(std::move(ep)), name_(std::move(name)), resolver_(ex_), retry_timer_(ex_) {}

client::~client() {
    stopped_ = true;
    if (ac_) {
        auto* ac = ac_;
        ac_ = nullptr;
        ac->data = nullptr;
        redisAsyncFree(ac);  // runs pending callbacks with NULL replies
    }
}

void client::start() {
    stopped_ = false;
    connect();
}

void client::stop() {
    stopped_ = true;
    retry_timer_.cancel();
    resolver_.cancel();
    if (ac_) redisAsyncDisconnect(ac_);
}

void client::connect() {
    if (stopped_) return;
    // hiredis would resolve a host name with a blocking getaddrinfo(): resolve here instead.
    resolver_.async_resolve(ep_.host, std::to_string(ep_.port),
                            [weak = weak_from_this()](error_code ec, tcp::resolver::results_type results) {
                                auto self = weak.lock();
                                if (!self || self->stopped_) return;
                                if (ec || results.empty()) {
                                    log::warn("redis host not resolved",
                                              {{"conn", self->name_}, {"host", self->ep_.host}, {"error", ec.message()}});
                                    return self->schedule_reconnect();
                                }
                                self->connect_to(results.begin()->endpoint().address().to_string());
                            });
}

void client::connect_to(std::string const& ip) {
    redisAsyncContext* ac = redisAsyncConnect(ip.c_str(), ep_.port);
    if (!ac || ac->err) {
        log::warn("redis connect failed", {{"conn", name_}, {"error", ac ? ac->errstr : "out of memory"}});
        if (ac) redisAsyncFree(ac);
        return schedule_reconnect();
    }
    ac_ = ac;
    ac->data = this;
    adapter_ = std::make_shared<asio_adapter>(ex_, ac);
    adapter_->attach();
    redisAsyncSetConnectCallback(ac, [](redisAsyncContext const* c, int status) {
        if (auto* self = owner(c)) self->on_connected(status);
    });
    redisAsyncSetDisconnectCallback(ac, [](redisAsyncContext const* c, int) {
        if (auto* self = owner(c)) self->on_disconnected();
    });
    // Queued now, sent once connected; hiredis keeps the order, so PING answers last.
    if (!ep_.password.empty())
        send({"AUTH", ep_.password}, [this](redisReply* r) {
            if (r && r->type == REDIS_REPLY_ERROR) log::error("redis AUTH failed", {{"conn", name_}, {"error", r->str}});
        });
    if (ep_.db != 0)
        send({"SELECT", std::to_string(ep_.db)}, [this](redisReply* r) {
            if (r && r->type == REDIS_REPLY_ERROR) log::error("redis SELECT failed", {{"conn", name_}, {"error", r->str}});
        });
    send({"PING"}, [this, ac](redisReply* r) {
        if (ac_ != ac) return;
        if (!r || r->type == REDIS_REPLY_ERROR) {
            redisAsyncDisconnect(ac);  // AUTH or SELECT failed: back off and try again
            return;
        }
        up_ = true;
        backoff_ = backoff_min;
        log::info("redis connected", {{"conn", name_}, {"host", ep_.host}, {"port", ep_.port}});
        if (on_up_) on_up_();
    });
}

void client::on_connected(int status) {
    if (status == REDIS_OK) return;  // usable once PING answers
    log::warn("redis connect failed", {{"conn", name_}, {"error", ac_ ? ac_->errstr : ""}});
    // hiredis frees the context after this callback; its disconnect callback does not run.
    ac_ = nullptr;
    schedule_reconnect();
}

void client::on_disconnected() {
    bool was_up = up_;
    up_ = false;
    if (ac_) log::warn("redis connection lost", {{"conn", name_}, {"error", ac_->errstr}});
    ac_ = nullptr;  // hiredis frees it after this callback
    if (was_up && on_down_) on_down_();
    schedule_reconnect();
}

void client::schedule_reconnect() {
    if (stopped_) return;
    ++reconnects_;
    // Jitter keeps many gateways from reconnecting in lockstep after a Redis restart.
    auto ms = static_cast<unsigned>(backoff_.count());
    retry_timer_.expires_after(std::chrono::milliseconds(jittered(ms / 2, ms)));
    backoff_ = std::min(backoff_ * 2, backoff_max);
    retry_timer_.async_wait([weak = weak_from_this()](error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->connect();
    });
}

void client::fail_later(reply_handler h) {
    net::post(ex_, [h = std::move(h)] { h(nullptr); });
}

struct client::argv_list {
    std::vector<char const*> argv;
    std::vector<std::size_t> lens;
    explicit argv_list(std::vector<std::string_view> const& args) {
        argv.reserve(args.size());
        lens.reserve(args.size());
        for (auto a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
    }
    int size() const { return static_cast<int>(argv.size()); }
};

void client::send(std::vector<std::string_view> const& args, reply_handler h) {
    if (!ac_) return fail_later(std::move(h));
    argv_list a(args);
    auto heap = std::make_unique<reply_handler>(std::move(h));
    if (redisAsyncCommandArgv(ac_, on_reply, heap.get(), a.size(), a.argv.data(), a.lens.data()) == REDIS_OK)
        heap.release();  // on_reply owns it now
    else
        fail_later(std::move(*heap));
}

void client::command(std::vector<std::string> const& args, reply_handler h) {
    if (!up_) return fail_later(std::move(h));
    send(std::vector<std::string_view>(args.begin(), args.end()), std::move(h));
}

void client::command(std::initializer_list<std::string_view> args, reply_handler h) {
    if (!up_) return fail_later(std::move(h));
    send(std::vector<std::string_view>(args), std::move(h));
}

bool client::raw_command(redisCallbackFn* fn, void* privdata, std::vector<std::string_view> const& args) {
    if (!ac_ || !up_) return false;
    argv_list a(args);
    return redisAsyncCommandArgv(ac_, fn, privdata, a.size(), a.argv.data(), a.lens.data()) == REDIS_OK;
}

} // namespace ssegw::redis

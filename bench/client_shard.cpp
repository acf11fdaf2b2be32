#include "bench/client_shard.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <future>
#include <time.h>

namespace ssegw::bench {
namespace {

std::int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The publisher stamps CLOCK_REALTIME: the one clock two processes on this machine share.
std::int64_t realtime_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr int max_in_flight = 512;  // opens waiting for their head: keeps the ramp honest
constexpr auto ramp_interval = std::chrono::milliseconds(10);

} // namespace

void step_bounds::begin(int step, std::int64_t first_seq) {
    start_.at(static_cast<std::size_t>(step)).store(first_seq, std::memory_order_relaxed);
    count_.store(step + 1, std::memory_order_release);
}

int step_bounds::step_of(std::int64_t seq) const {
    for (int k = count_.load(std::memory_order_acquire) - 1; k >= 0; --k)
        if (seq >= start_[static_cast<std::size_t>(k)].load(std::memory_order_relaxed)) return k;
    return -1;
}

struct client_shard::conn {
    explicit conn(net::io_context& ioc, int n) : number(n), socket(ioc) {}
    enum class phase { waiting, connecting, open, failed, closed };

    int number;
    net::ip::tcp::socket socket;
    phase state = phase::waiting;
    int gen = 0;  // bumped on every (re)open: completions of an older socket are stale
    std::string request;
    stream_parser parser;
    std::int64_t last_seq = -1;
    // Reconnect storm.
    bool storming = false;
    bool reopened = false;
    std::int64_t storm_seq = -1;
    bool caught_up = false;
    std::array<char, 4096> buf;
};

client_shard::client_shard(options const& o, load_plan const& plan, step_bounds const& bounds,
                           std::vector<int> streams)
    : o_(o), plan_(plan), bounds_(bounds),
      target_(net::ip::make_address(o.host), o.port), steps_(o.rates.size()) {
    for (auto const& a : o.bind) sources_.push_back(net::ip::make_address(a));
    conns_.reserve(streams.size());
    for (int j : streams) conns_.push_back(std::make_unique<conn>(ioc_, j));
}

client_shard::~client_shard() { stop(); }

void client_shard::start(double ramp_per_s) {
    ramp_per_tick_ = ramp_per_s * std::chrono::duration<double>(ramp_interval).count();
    net::post(ioc_, [this] { ramp_tick(); });
    thread_ = std::thread([this] {
        auto guard = net::make_work_guard(ioc_);
        ioc_.run();
    });
}

void client_shard::stop() {
    if (!thread_.joinable()) return;
    ioc_.stop();
    thread_.join();
}

void client_shard::ramp_tick() {
    ramp_credit_ = std::min(ramp_credit_ + ramp_per_tick_, static_cast<double>(max_in_flight));
    while (next_to_open_ < conns_.size() && ramp_credit_ >= 1 && in_flight_ < max_in_flight) {
        ramp_credit_ -= 1;
        open(*conns_[next_to_open_++], {});
    }
    if (next_to_open_ == conns_.size()) return;
    ramp_timer_.expires_after(ramp_interval);
    ramp_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) ramp_tick();
    });
}

void client_shard::open(conn& c, std::string const& last_event_id) {
    int const gen = ++c.gen;
    boost::system::error_code ignored;
    c.socket.close(ignored);
    c.parser.reset();
    c.state = conn::phase::connecting;
    c.request = plan_.request(c.number, last_event_id);
    ++in_flight_;
    if (!sources_.empty()) {
        // Bind the source address only: with IP_BIND_ADDRESS_NO_PORT the port is picked at
        // connect() for the whole 4-tuple, so each address has the ephemeral range to itself.
        boost::system::error_code ec;
        c.socket.open(net::ip::tcp::v4(), ec);
        if (!ec) {
            int const one = 1;
            ::setsockopt(c.socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
            c.socket.bind({sources_[static_cast<std::size_t>(c.number) % sources_.size()], 0}, ec);
        }
        if (ec) {
            // Completed like a connect failure, on the next turn, so the books stay in one place.
            return net::post(ioc_, [this, &c, gen, ec] {
                if (gen == c.gen) fail(c, "bind: " + ec.message());
            });
        }
    }
    c.socket.async_connect(target_, [this, &c, gen](boost::system::error_code ec) {
        if (gen != c.gen) return;
        if (ec) return fail(c, "connect: " + ec.message());
        net::async_write(c.socket, net::buffer(c.request), [this, &c, gen](boost::system::error_code ec, std::size_t) {
            if (gen != c.gen) return;
            if (ec) return fail(c, "sending the request: " + ec.message());
            read(c);
        });
    });
}

void client_shard::read(conn& c) {
    c.socket.async_read_some(net::buffer(c.buf), [this, &c, gen = c.gen](boost::system::error_code ec, std::size_t n) {
        on_read(c, gen, ec, n);
    });
}

void client_shard::on_read(conn& c, int gen, boost::system::error_code ec, std::size_t n) {
    if (gen != c.gen) return;
    if (ec) {
        if (c.state == conn::phase::open) {
            c.state = conn::phase::closed;
            note_error("stream ended: " + ec.message());
        } else {
            fail(c, "reading the head: " + ec.message());
        }
        return;
    }
    auto const now = steady_ns();
    auto const now_rt = realtime_ns();
    bool const had_head = c.parser.state() != stream_parser::phase::head;
    if (!c.parser.feed(std::string_view(c.buf.data(), n))) {
        if (!had_head) return fail(c, c.parser.error());
        c.state = conn::phase::closed;
        note_error("stream broken: " + c.parser.error());
        return;
    }
    if (!had_head && c.parser.state() != stream_parser::phase::head) {
        c.state = conn::phase::open;
        --in_flight_;
        if (c.storming && !c.reopened) {
            c.reopened = true;
            ++storm_.reopened;
            storm_.last_head_ns = std::max(storm_.last_head_ns, now);
        }
    }
    for (auto const& e : c.parser.events()) {
        if (e.error) return fail(c, "refused with an error event");
        int const k = e.seq < 0 ? -1 : bounds_.step_of(e.seq);
        if (k < 0) {
            ++foreign_;
            continue;
        }
        auto& s = steps_[static_cast<std::size_t>(k)];
        if (e.seq <= c.last_seq) {
            ++s.duplicated;
            continue;
        }
        c.last_seq = e.seq;
        ++s.received;
        s.last_at_ns = now;
        if (e.sent_ns > 0) s.latency.record(now_rt - e.sent_ns);
        if (c.storming && !c.caught_up && e.seq >= c.storm_seq) {
            c.caught_up = true;
            ++storm_.caught_up;
            storm_.last_caught_ns = std::max(storm_.last_caught_ns, now);
        }
    }
    if (c.parser.state() == stream_parser::phase::ended) {
        c.state = conn::phase::closed;
        note_error("stream ended by the server");
        return;
    }
    read(c);
}

void client_shard::fail(conn& c, std::string why) {
    if (c.state == conn::phase::connecting) --in_flight_;
    if (c.storming) ++storm_.failed;
    c.state = conn::phase::failed;
    ++c.gen;
    boost::system::error_code ignored;
    c.socket.close(ignored);
    note_error(std::move(why));
}

void client_shard::note_error(std::string why) {
    if (errors_.size() < 5) errors_.push_back(std::move(why));
}

void client_shard::storm(std::vector<int> const& streams, std::int64_t first_new_seq) {
    net::post(ioc_, [this, streams, first_new_seq] {
        for (auto& c : conns_) {
            if (c->state != conn::phase::open) continue;
            if (!std::binary_search(streams.begin(), streams.end(), c->number)) continue;
            c->storming = true;
            c->storm_seq = first_new_seq;
            ++storm_.dropped;
            open(*c, c->parser.last_id());
        }
    });
}

shard_snapshot client_shard::snapshot() {
    std::promise<shard_snapshot> p;
    auto f = p.get_future();
    net::post(ioc_, [this, &p] {
        shard_snapshot s;
        for (auto const& c : conns_) {
            switch (c->state) {
            case conn::phase::open: s.open.push_back(c->number); break;
            case conn::phase::waiting:
            case conn::phase::connecting: ++s.connecting; break;
            case conn::phase::failed: ++s.failed; break;
            case conn::phase::closed: ++s.closed; break;
            }
        }
        s.foreign = foreign_;
        s.errors = errors_;
        s.steps = steps_;
        s.storm = storm_;
        p.set_value(std::move(s));
    });
    return f.get();
}

} // namespace ssegw::bench

// Concurrent traffic for the delivery-guarantee tests: flat-out publisher, stream readers, log truth.
#include "tests/support/traffic.hpp"

#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace ssegw::it {

flat_out_publisher::flat_out_publisher(redis::endpoint ep, publish_options opts)
    : ep_(std::move(ep)), opts_(std::move(opts)) {
    if (opts_.devices.empty()) throw std::invalid_argument("flat_out_publisher needs a device");
    thread_ = std::thread([this] { run(); });
}

flat_out_publisher::~flat_out_publisher() {
    stop();
    join();
}

void flat_out_publisher::join() {
    if (thread_.joinable()) thread_.join();
}

bool flat_out_publisher::wait_acknowledged(int n, deadline d) const {
    poll_until(d, [&] { return acknowledged() >= n || finished(); }, 5ms);
    return acknowledged() >= n;
}

void flat_out_publisher::run() {
    auto const t0 = clock::now();
    auto const end = t0 + opts_.max_time;
    std::unique_ptr<redis::sync_client> c;
    int n = 0;
    while (n < opts_.max_count && !stop_.load() && clock::now() < end) {
        if (opts_.gate && !opts_.gate(n)) {
            if (!poll_until(end, [&] { return stop_.load() || opts_.gate(n); }, 1ms) || stop_.load()) break;
        }
        if (!c) {
            try {
                c = std::make_unique<redis::sync_client>(ep_, std::chrono::milliseconds(1000));
            } catch (std::exception const& e) {
                // Redis is down (restarting) or refusing: back off briefly and try again, within max_time.
                last_error_ = e.what();
                std::this_thread::sleep_for(10ms);
                continue;
            }
        }
        auto const& device = opts_.devices[static_cast<std::size_t>(n) % opts_.devices.size()];
        try {
            auto ids = redis::publish_result(*c, device, opts_.user, opts_.make(device, n), opts_.maxlen);
            acked_.push_back({device, std::move(ids)});
            acked_count_.fetch_add(1);
        } catch (std::exception const& e) {
            // The reply is lost: the result may or may not be in the logs. A new connection next time.
            last_error_ = e.what();
            failures_.fetch_add(1);
            c.reset();
        }
        ++n;  // a failed attempt keeps its number: its result may be in the log
    }
    seconds_ = seconds_since(t0);
    finished_.store(true);
}

stream_reader::stream_reader(std::unique_ptr<sse_client> c, deadline d, std::string name)
    : client_(std::move(c)), deadline_(d), name_(std::move(name)) {
    thread_ = std::thread([this] { run(); });
}

stream_reader::~stream_reader() { join(); }

void stream_reader::join() {
    if (thread_.joinable()) thread_.join();
}

void stream_reader::set_target(std::string id) {
    std::lock_guard lock(mu_);
    for (auto const& e : events_)
        if (e.id == id) reached_.store(true);
    target_ = std::move(id);
}

std::size_t stream_reader::count() const { return count_.load(); }

void stream_reader::run() {
    try {
        while (!reached_.load() && clock::now() < deadline_) {
            auto e = client_->read_event(std::min(deadline_, in(100ms)));
            if (!e) {
                if (client_->ended()) break;
                continue;
            }
            std::lock_guard lock(mu_);
            events_.push_back({e->id, e->event, e->data});
            count_.fetch_add(1);
            if (target_ && e->id == *target_) reached_.store(true);
        }
    } catch (std::exception const& e) {
        error_ = e.what();
    }
}

std::vector<received_event> log_entries(redis::sync_client& r, std::string const& key, std::string const& after_id) {
    auto reply = r.command({"XRANGE", key, after_id == "-" ? "-" : "(" + after_id, "+"});
    std::vector<received_event> out;
    if (!reply || reply->type != REDIS_REPLY_ARRAY) return out;
    for (std::size_t i = 0; i < reply->elements; ++i) {
        auto const* entry = reply->element[i];
        received_event e;
        e.id.assign(entry->element[0]->str, entry->element[0]->len);
        auto const* fields = entry->element[1];
        for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
            std::string name(fields->element[f]->str, fields->element[f]->len);
            std::string value(fields->element[f + 1]->str, fields->element[f + 1]->len);
            if (name == "event") e.event = std::move(value);
            else if (name == "data") e.data = std::move(value);
        }
        out.push_back(std::move(e));
    }
    return out;
}

::testing::AssertionResult same_sequence(std::vector<received_event> const& got,
                                         std::vector<received_event> const& want) {
    std::size_t i = 0;
    while (i < got.size() && i < want.size() && got[i].id == want[i].id && got[i].event == want[i].event &&
           got[i].data == want[i].data)
        ++i;
    if (i == got.size() && i == want.size()) return ::testing::AssertionSuccess();

    std::map<std::string, int> seen;
    for (auto const& e : got) ++seen[e.id];
    std::set<std::string> wanted;
    for (auto const& e : want) wanted.insert(e.id);
    std::size_t duplicates = 0, extra = 0, missing = 0;
    std::string first_dup, first_extra, first_missing;
    for (auto const& [id, n] : seen) {
        if (n > 1 && duplicates++ == 0) first_dup = id;
        if (!wanted.count(id) && extra++ == 0) first_extra = id;
    }
    for (auto const& e : want)
        if (!seen.count(e.id) && missing++ == 0) first_missing = e.id;

    auto show = [](std::vector<received_event> const& v, std::size_t at) {
        std::ostringstream s;
        std::size_t from = at >= 2 ? at - 2 : 0;
        for (std::size_t k = from; k < v.size() && k < at + 3; ++k)
            s << (k == at ? " >" : "  ") << "[" << k << "] " << v[k].id << " " << v[k].event << " "
              << (v[k].note.empty() ? "" : "(" + v[k].note + ") ") << v[k].data.substr(0, 80) << "\n";
        return s.str();
    };
    auto f = ::testing::AssertionFailure();
    f << "received " << got.size() << " events, the log holds " << want.size() << "; first difference at #" << i
      << "\n  got around it:\n"
      << show(got, i) << "  want around it:\n"
      << show(want, i) << "  duplicated ids: " << duplicates << (duplicates ? " (first " + first_dup + ")" : "")
      << ", ids not in the log: " << extra << (extra ? " (first " + first_extra + ")" : "")
      << ", log ids never received: " << missing << (missing ? " (first " + first_missing + ")" : "");
    return f;
}

long rss_kib(pid_t pid) {
    auto status = read_file("/proc/" + std::to_string(pid) + "/status");
    auto at = status.find("\nVmRSS:");
    if (at == std::string::npos) return -1;
    std::istringstream in(status.substr(at + 7));
    long kib = -1;
    in >> kib;
    return kib;
}

} // namespace ssegw::it

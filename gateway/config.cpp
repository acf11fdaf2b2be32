#include "gateway/config.hpp"

#include <boost/asio/ip/address.hpp>

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <thread>

namespace ssegw::gateway {
namespace {

struct flag {
    char const* name;      // without the leading --
    char const* env;
    char const* def;       // shown in --help
    char const* meaning;
    std::function<bool(config&, std::string const&, std::string&)> apply;  // false + error on bad value
};

bool to_uint(std::string const& s, unsigned long long max, unsigned long long min, unsigned long long& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size() && out >= min && out <= max;
}

bool to_seconds(std::string const& s, seconds_d& out) {
    if (s.empty()) return false;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v) || v <= 0 || v > 365.0 * 86400) return false;
    out = seconds_d(v);
    return true;
}

template <class T>
auto uint_flag(T config::*field, unsigned long long min, unsigned long long max) {
    return [=](config& c, std::string const& v, std::string& err) {
        unsigned long long n = 0;
        if (!to_uint(v, max, min, n)) {
            err = "expects a whole number from " + std::to_string(min) + " to " + std::to_string(max);
            return false;
        }
        c.*field = static_cast<T>(n);
        return true;
    };
}

auto seconds_flag(seconds_d config::*field) {
    return [=](config& c, std::string const& v, std::string& err) {
        if (!to_seconds(v, c.*field)) {
            err = "expects a positive number of seconds";
            return false;
        }
        return true;
    };
}

bool parse_listen(config& c, std::string const& v, std::string& err) {
    std::string host, port;
    if (!v.empty() && v.front() == '[') {
        auto close = v.find("]:");
        if (close == std::string::npos) {
            err = "expects HOST:PORT or [IPv6]:PORT";
            return false;
        }
        host = v.substr(1, close - 1);
        port = v.substr(close + 2);
    } else {
        auto colon = v.rfind(':');
        if (colon == std::string::npos || v.find(':') != colon) {
            err = "expects HOST:PORT or [IPv6]:PORT";
            return false;
        }
        host = v.substr(0, colon);
        port = v.substr(colon + 1);
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (ec) {
        err = "host must be an IP address";
        return false;
    }
    unsigned long long p = 0;
    if (!to_uint(port, 65535, 0, p)) {
        err = "bad port";
        return false;
    }
    c.listen_host = host;
    c.listen_port = static_cast<unsigned short>(p);
    return true;
}

std::vector<flag> const& flags() {
    static std::vector<flag> const all = {
        {"listen", "SSE_GATEWAY_LISTEN", "127.0.0.1:8080", "HTTP listen address (IPv4 or [::1]:port; port 0 picks one)",
         parse_listen},
        {"redis", "SSE_GATEWAY_REDIS", "redis://127.0.0.1:6379/0", "redis://[:password@]host:port[/db]",
         [](config& c, std::string const& v, std::string& err) {
             auto ep = redis::parse_url(v, err);
             if (!ep) return false;
             c.redis_url = v;
             c.redis = *ep;
             return true;
         }},
        {"threads", "SSE_GATEWAY_THREADS", "number of cores", "worker threads", uint_flag(&config::threads, 1, 1024)},
        {"keepalive-interval", "SSE_GATEWAY_KEEPALIVE_INTERVAL", "15",
         "seconds between ': keepalive' comments on a quiet stream", seconds_flag(&config::keepalive_interval)},
        {"idle-timeout", "SSE_GATEWAY_IDLE_TIMEOUT", "300", "seconds without an event before a stream is closed",
         seconds_flag(&config::idle_timeout)},
        {"max-conns-per-user", "SSE_GATEWAY_MAX_CONNS_PER_USER", "10",
         "concurrent streams per user across all instances", uint_flag(&config::max_conns_per_user, 1, 1000000)},
        {"retry-ms", "SSE_GATEWAY_RETRY_MS", "3000", "the retry: value sent at stream start",
         uint_flag(&config::retry_ms, 0, 86400000)},
        {"max-queued-bytes", "SSE_GATEWAY_MAX_QUEUED_BYTES", "1048576",
         "unsent bytes one stream may hold before it is cut", uint_flag(&config::max_queued_bytes, 1024, 1ull << 34)},
        {"write-timeout", "SSE_GATEWAY_WRITE_TIMEOUT", "30", "seconds without write progress before a stream is cut",
         seconds_flag(&config::write_timeout)},
        {"max-connections", "SSE_GATEWAY_MAX_CONNECTIONS", "100000", "open client connections per instance",
         uint_flag(&config::max_connections, 1, 10000000)},
        {"header-timeout", "SSE_GATEWAY_HEADER_TIMEOUT", "10",
         "seconds a client has to send a whole request (slow headers are cut); also bounds keep-alive idle",
         seconds_flag(&config::header_timeout)},
        {"max-conn-rate-per-ip", "SSE_GATEWAY_MAX_CONN_RATE_PER_IP", "0",
         "new connections per second per client IP, over it refused with 429 (0: off)",
         uint_flag(&config::max_conn_rate_per_ip, 0, 1000000)},
        {"cors-origin", "SSE_GATEWAY_CORS_ORIGIN", "none", "allowed CORS origin (repeatable; * allowed)",
         [](config& c, std::string const& v, std::string& err) {
             if (v.empty() || v.find_first_of("\r\n ") != std::string::npos) {
                 err = "expects an origin such as https://app.example.com or *";
                 return false;
             }
             c.cors_origins.push_back(v);
             return true;
         }},
        {"instance-id", "SSE_GATEWAY_INSTANCE_ID", "hostname:pid", "names this instance in Redis leases and logs",
         [](config& c, std::string const& v, std::string& err) {
             if (v.empty() || v.size() > 200 || v.find_first_of(" \r\n\t") != std::string::npos) {
                 err = "expects 1-200 characters without spaces";
                 return false;
             }
             c.instance_id = v;
             return true;
         }},
        {"log-level", "SSE_GATEWAY_LOG_LEVEL", "info", "debug, info, warn or error",
         [](config& c, std::string const& v, std::string& err) {
             if (!log::parse_level(v, c.log_level)) {
                 err = "expects debug, info, warn or error";
                 return false;
             }
             return true;
         }},
        {"tls-cert", "SSE_GATEWAY_TLS_CERT", "off", "certificate chain (PEM): serve HTTPS (TLS 1.2+) instead of plain HTTP; with --tls-key; "
         "SIGHUP reloads both files for new connections",
         [](config& c, std::string const& v, std::string&) { return c.tls_cert = v, true; }},
        {"tls-key", "SSE_GATEWAY_TLS_KEY", "off", "private key (PEM) of --tls-cert",
         [](config& c, std::string const& v, std::string&) { return c.tls_key = v, true; }},
        {"lease-ttl", "SSE_GATEWAY_LEASE_TTL", "90", "seconds after which a dead instance's stream slots expire",
         seconds_flag(&config::lease_ttl)},
        {"ticket-ttl", "SSE_GATEWAY_TICKET_TTL", "60", "seconds a stream ticket stays valid (tests shorten it)",
         seconds_flag(&config::ticket_ttl)},
    };
    return all;
}

std::string default_instance_id() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
    return std::string(host) + ":" + std::to_string(getpid());
}

} // namespace

std::string help_text() {
    std::ostringstream os;
    os << "Usage: sse-gateway [FLAGS]\n"
          "Streams analysis results from Redis to HTTP clients as Server-Sent Events.\n\n"
          "Every flag also reads its environment variable; a flag beats the variable.\n\n";
    for (auto const& f : flags()) {
        std::string left = std::string("  --") + f.name + " (" + f.env + ")";
        os << left << "\n      " << f.meaning << " [default: " << f.def << "]\n";
    }
    os << "  --help\n      this text\n";
    return os.str();
}

parse_result parse_config(int argc, char const* const* argv, char const* (*getenv_fn)(char const*)) {
    if (!getenv_fn) getenv_fn = [](char const* n) -> char const* { return std::getenv(n); };
    config c;
    std::string err;
    c.redis = *redis::parse_url(c.redis_url, err);
    auto fail = [](std::string msg) { return parse_result{std::nullopt, 2, "sse-gateway: " + msg}; };

    // Flags first, so a variable is read only for settings no flag gave (a flag beats it).
    std::vector<std::pair<flag const*, std::string>> given;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") return {std::nullopt, 0, help_text()};
        if (arg.rfind("--", 0) != 0) return fail("unexpected argument '" + arg + "' (see --help)");
        std::string name = arg.substr(2), value;
        bool has_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            has_value = true;
        }
        flag const* found = nullptr;
        for (auto const& f : flags())
            if (name == f.name) found = &f;
        if (!found) return fail("unknown flag --" + name + " (see --help)");
        if (!has_value) {
            if (i + 1 >= argc) return fail("--" + name + " needs a value");
            value = argv[++i];
        }
        given.emplace_back(found, std::move(value));
    }
    for (auto const& f : flags()) {
        bool by_flag = false;
        for (auto const& g : given) by_flag = by_flag || g.first == &f;
        if (by_flag) continue;
        if (char const* v = getenv_fn(f.env); v && !f.apply(c, v, err))
            return fail(std::string(f.env) + "=" + v + ": " + err);
    }
    for (auto const& [f, value] : given)
        if (!f->apply(c, value, err)) return fail(std::string("--") + f->name + " " + value + ": " + err);
    if (c.tls_cert.empty() != c.tls_key.empty()) return fail("--tls-cert and --tls-key go together: give both (HTTPS) or neither (plain HTTP)");
    if (c.threads == 0) c.threads = std::max(1u, std::thread::hardware_concurrency());
    if (c.instance_id.empty()) c.instance_id = default_instance_id();
    return {std::move(c), 0, {}};
}

} // namespace ssegw::gateway

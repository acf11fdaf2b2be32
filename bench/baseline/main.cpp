// sse-baseline: the machine's ceiling for the benchmark — one thread writing the same pre-framed bytes to
// the same sockets with epoll + writev; no Redis, no auth, no history (Last-Event-ID is ignored).
// Protocol (as sse-bench speaks to nchan): GET /sub/<ch> -> 200 text/event-stream until close;
// POST /pub/<ch>[/<ch>...] (Content-Length, one line) -> framed once "id: <n>\ndata: <body>\n\n", 202.
#include "common/ascii.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

constexpr std::size_t kMaxHead = 8 * 1024;
constexpr std::size_t kMaxBody = 1024 * 1024;
constexpr std::size_t kMaxQueued = 4 * 1024 * 1024;  // beyond this a subscriber is a slow consumer
constexpr int kMaxIov = IOV_MAX < 64 ? IOV_MAX : 64;

// One thread only, so a plain counter is the honest minimum (std::shared_ptr would pay atomics).
struct Frame {
    std::string bytes;
    unsigned refs = 0;
};

class FrameRef {
public:
    FrameRef() = default;
    explicit FrameRef(std::string bytes) : f_(new Frame) {
        f_->bytes = std::move(bytes);
        f_->refs = 1;
    }
    FrameRef(const FrameRef& o) noexcept : f_(o.f_) { if (f_) ++f_->refs; }
    FrameRef(FrameRef&& o) noexcept : f_(std::exchange(o.f_, nullptr)) {}
    FrameRef& operator=(FrameRef o) noexcept { std::swap(f_, o.f_); return *this; }
    ~FrameRef() { if (f_ && --f_->refs == 0) delete f_; }
    const std::string& bytes() const { return f_->bytes; }

private:
    Frame* f_ = nullptr;
};

// A vector plus a head index rather than std::deque: an idle subscriber's queue then costs a few
// bytes instead of deque's eager block allocation, which matters at 100k sockets.
struct FrameQueue {
    std::vector<FrameRef> v;
    std::size_t head = 0;
    bool empty() const { return head == v.size(); }
    void pop() {
        v[head++] = FrameRef();
        if (head == v.size()) { v.clear(); head = 0; }
        else if (head >= 64 && head * 2 >= v.size()) {
            v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(head));
            head = 0;
        }
    }
    void clear() { v.clear(); head = 0; }
};

enum class Role { Http, Subscriber };

struct Conn {
    int fd = -1;
    Role role = Role::Http;
    bool dead = false;
    bool closeAfterFlush = false;
    bool sentContinue = false;
    std::string in;        // unparsed request bytes (Http only)
    FrameQueue out;
    std::size_t outOff = 0;  // bytes of the first queued frame already written
    std::size_t queued = 0;  // unsent bytes
    std::string channel;     // Subscriber only
    std::size_t slot = 0;    // index in its channel's subscriber list
};

struct StrHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool validChannel(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-'))
            return false;
    return true;
}

struct Head {
    std::string_view method, target;
    std::size_t contentLength = 0;
    bool hasLength = false, expectContinue = false, close = false;
};

// Returns 0, or the status to refuse the request with.
int parseHead(std::string_view head, Head& h) {
    for (char c : head)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f) return 400;
    std::size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    std::string_view rest = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return 400;
    h.method = line.substr(0, sp1);
    h.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (h.method.empty() || h.target.empty() || h.target.front() != '/' ||
        h.target.find_first_of(" \t\r\n") != std::string_view::npos)
        return 400;
    if (version.size() != 8 || version.substr(0, 5) != "HTTP/") return 400;
    if (version != "HTTP/1.1") return 505;

    int hosts = 0;
    while (!rest.empty()) {
        std::size_t e = rest.find("\r\n");
        std::string_view field = rest.substr(0, e);
        rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e + 2);
        std::size_t colon = field.find(':');
        if (colon == 0 || colon == std::string_view::npos) return 400;
        std::string_view name = field.substr(0, colon);
        std::string_view value = trim(field.substr(colon + 1));
        // Whitespace in a name also catches obsolete line folding and bare CR/LF.
        if (name.find_first_of(" \t\r\n") != std::string_view::npos) return 400;
        if (value.find_first_of("\r\n") != std::string_view::npos) return 400;
        if (ssegw::ascii::iequals(name, "host")) {
            ++hosts;
        } else if (ssegw::ascii::iequals(name, "content-length")) {
            std::size_t n = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (value.empty() || ec != std::errc() || p != value.data() + value.size()) return 400;
            if (h.hasLength && n != h.contentLength) return 400;
            h.hasLength = true;
            h.contentLength = n;
        } else if (ssegw::ascii::iequals(name, "transfer-encoding")) {
            return 501;  // chunked bodies are not part of the protocol
        } else if (ssegw::ascii::iequals(name, "expect")) {
            h.expectContinue = ssegw::ascii::iequals(value, "100-continue");
        } else if (ssegw::ascii::iequals(name, "connection")) {
            while (!value.empty()) {
                std::size_t comma = value.find(',');
                if (ssegw::ascii::iequals(trim(value.substr(0, comma)), "close")) h.close = true;
                value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
            }
        }
    }
    if (hosts != 1) return 400;  // RFC 9112 3.2, and nginx refuses it too
    return 0;
}

const char* reason(int status) {
    switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

class Server {
public:
    Server(int listenFd, int signalFd) : lfd_(listenFd), sfd_(signalFd) {}

    int run() {
        ep_ = epoll_create1(EPOLL_CLOEXEC);
        if (ep_ < 0) return perror("epoll_create1"), 1;
        // Edge-triggered everywhere: each socket is registered once and never re-armed, so a
        // subscriber costs no epoll_ctl per EAGAIN; handlers therefore always run to EAGAIN.
        if (!watch(lfd_, EPOLLIN | EPOLLET, &lfd_) || !watch(sfd_, EPOLLIN, &sfd_)) return perror("epoll_ctl"), 1;
        spareFd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
        std::vector<epoll_event> events(1024);
        for (bool stop = false; !stop;) {
            int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), -1);
            if (n < 0) {
                if (errno == EINTR) continue;
                return perror("epoll_wait"), 1;
            }
            for (int i = 0; i < n; ++i) {
                void* p = events[i].data.ptr;
                std::uint32_t e = events[i].events;
                if (p == &lfd_) { accept(); continue; }
                if (p == &sfd_) { stop = true; continue; }
                auto* c = static_cast<Conn*>(p);
                if (!c->dead && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) readable(c);
                if (!c->dead && (e & EPOLLOUT)) flush(c);
            }
            // Freed only now: a connection closed above may still have events later in this batch.
            for (Conn* c : graveyard_) delete c;
            graveyard_.clear();
        }
        for (Conn* c : conns_)
            if (c) { closeConn(c); }
        for (Conn* c : graveyard_) delete c;
        graveyard_.clear();
        close(ep_);
        return 0;
    }

private:
    bool watch(int fd, std::uint32_t events, void* tag) {
        epoll_event ev{};
        ev.events = events;
        ev.data.ptr = tag;
        return epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) == 0;
    }

    void accept() {
        for (;;) {
            int fd = accept4(lfd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                if ((errno == EMFILE || errno == ENFILE) && spareFd_ >= 0) {
                    // Out of descriptors: with an edge-triggered listener a connection left in the
                    // backlog would never be reported again, so take it with the spare fd and refuse it.
                    close(spareFd_);
                    fd = accept4(lfd_, nullptr, nullptr, SOCK_CLOEXEC);
                    if (fd >= 0) close(fd);
                    spareFd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
                    if (fd >= 0) continue;
                }
                if (errno != EAGAIN) perror("accept4");
                return;
            }
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto* c = new Conn;
            c->fd = fd;
            if (!watch(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, c)) {
                perror("epoll_ctl");
                close(fd);
                delete c;
                continue;
            }
            if (conns_.size() <= static_cast<std::size_t>(fd)) conns_.resize(static_cast<std::size_t>(fd) + 1);
            conns_[static_cast<std::size_t>(fd)] = c;
        }
    }

    void readable(Conn* c) {
        static char buf[64 * 1024];
        bool eof = false;
        for (;;) {
            ssize_t n = read(c->fd, buf, sizeof buf);
            if (n > 0) {
                // Subscribers' and refused requests' bytes are read only to be discarded.
                if (c->role == Role::Http && !c->closeAfterFlush) {
                    c->in.append(buf, static_cast<std::size_t>(n));
                    handleInput(c);
                    // Answer per chunk: a deep pipeline must not pile up 4 MiB of 202s and get dropped.
                    if (!c->dead) flush(c);
                    if (c->dead) return;
                }
                continue;
            }
            if (n == 0) { eof = true; break; }
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            closeConn(c);
            return;
        }
        if (eof) {
            // A publisher may half-close after its last request: its answers still go out.
            if (c->role == Role::Subscriber || c->out.empty()) { closeConn(c); return; }
            c->closeAfterFlush = true;
        }
        flush(c);
    }

    void handleInput(Conn* c) {
        std::size_t pos = 0;
        while (c->role == Role::Http && !c->dead && !c->closeAfterFlush) {
            std::string_view in(c->in.data() + pos, c->in.size() - pos);
            while (in.substr(0, 2) == "\r\n") { in.remove_prefix(2); pos += 2; }  // RFC 9112 2.2
            std::size_t end = in.find("\r\n\r\n");
            if (end == std::string_view::npos || end + 4 > kMaxHead) {
                if (end != std::string_view::npos || in.size() > kMaxHead) refuse(c, 431);
                break;
            }
            Head h;
            if (int status = parseHead(in.substr(0, end), h)) { refuse(c, status); break; }
            std::size_t headLen = end + 4;
            std::string_view path = h.target.substr(0, h.target.find('?'));

            if (path.substr(0, 5) == "/sub/") {
                std::string_view ch = path.substr(5);
                if (!validChannel(ch)) { refuse(c, 404); break; }
                if (h.method != "GET") { refuse(c, 405, "GET"); break; }
                subscribe(c, ch);
                break;
            }
            if (path.substr(0, 5) != "/pub/") { refuse(c, 404); break; }
            std::vector<std::string_view> channels;
            bool ok = true;
            for (std::string_view rest = path.substr(5);;) {
                std::size_t slash = rest.find('/');
                std::string_view ch = rest.substr(0, slash);
                if (!validChannel(ch)) { ok = false; break; }
                // A channel listed twice must not deliver the event twice.
                bool dup = false;
                for (auto seen : channels) dup = dup || seen == ch;
                if (!dup) channels.push_back(ch);
                if (slash == std::string_view::npos) break;
                rest = rest.substr(slash + 1);
            }
            if (!ok) { refuse(c, 404); break; }
            if (h.method != "POST") { refuse(c, 405, "POST"); break; }
            if (!h.hasLength) { refuse(c, 411); break; }
            if (h.contentLength > kMaxBody) { refuse(c, 413); break; }
            if (in.size() - headLen < h.contentLength) {
                if (h.expectContinue && !c->sentContinue) {
                    enqueue(c, continue_, false);
                    c->sentContinue = true;
                }
                break;
            }
            std::string_view body = in.substr(headLen, h.contentLength);
            pos += headLen + h.contentLength;
            c->sentContinue = false;
            if (body.find_first_of("\r\n") != std::string_view::npos) {
                enqueue(c, badBody_, false);  // the framing was fine, so the connection stays usable
            } else {
                publish(body, channels);
                enqueue(c, accepted_, false);
            }
            if (h.close && !c->dead) c->closeAfterFlush = true;
        }
        if (!c->dead && c->role == Role::Http) c->in.erase(0, pos);
    }

    void refuse(Conn* c, int status, const char* allow = nullptr) {
        std::string r = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
        if (allow) r += std::string("Allow: ") + allow + "\r\n";
        r += "Content-Length: 0\r\nConnection: close\r\n\r\n";
        enqueue(c, FrameRef(std::move(r)), false);
        if (!c->dead) c->closeAfterFlush = true;
    }

    void subscribe(Conn* c, std::string_view ch) {
        c->role = Role::Subscriber;
        c->channel = ch;  // before freeing `in`, which ch points into
        std::string().swap(c->in);
        auto& subs = channels_[c->channel];
        c->slot = subs.size();
        subs.push_back(c);
        enqueue(c, streamHead_, false);
    }

    void unsubscribe(Conn* c) {
        auto it = channels_.find(c->channel);
        auto& subs = it->second;
        subs[c->slot] = subs.back();
        subs[c->slot]->slot = c->slot;
        subs.pop_back();
        if (subs.empty() && !publishing_) channels_.erase(it);
    }

    void publish(std::string_view body, const std::vector<std::string_view>& channels) {
        char id[24];
        auto idEnd = std::to_chars(id, id + sizeof id, nextId_++).ptr;
        std::string bytes;
        bytes.reserve(body.size() + 36);
        bytes.append("id: ").append(id, idEnd).append("\ndata: ").append(body).append("\n\n");
        FrameRef frame(std::move(bytes));
        for (auto ch : channels) {
            auto it = channels_.find(ch);
            if (it == channels_.end()) continue;
            auto& subs = it->second;
            publishing_ = true;
            // Backwards: dropping subs[i] moves an already-served subscriber into slot i.
            for (std::size_t i = subs.size(); i-- > 0;) enqueue(subs[i], frame, true);
            publishing_ = false;
            if (subs.empty()) channels_.erase(it);
        }
    }

    void enqueue(Conn* c, const FrameRef& f, bool writeNow) {
        bool idle = c->out.empty();
        c->out.v.push_back(f);
        c->queued += f.bytes().size();
        if (c->queued > kMaxQueued) { closeConn(c); return; }
        // A non-empty queue means we are already waiting for EPOLLOUT.
        if (writeNow && idle) flush(c);
    }

    void flush(Conn* c) {
        while (!c->out.empty()) {
            iovec iov[kMaxIov];
            int count = 0;
            std::size_t want = 0;
            for (std::size_t i = c->out.head; i < c->out.v.size() && count < kMaxIov; ++i, ++count) {
                const std::string& b = c->out.v[i].bytes();
                std::size_t off = count == 0 ? c->outOff : 0;
                iov[count].iov_base = const_cast<char*>(b.data() + off);
                iov[count].iov_len = b.size() - off;
                want += iov[count].iov_len;
            }
            ssize_t n = writev(c->fd, iov, count);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN) return;
                closeConn(c);
                return;
            }
            auto left = static_cast<std::size_t>(n);
            c->queued -= left;
            while (left > 0) {
                std::size_t rest = c->out.v[c->out.head].bytes().size() - c->outOff;
                if (left < rest) { c->outOff += left; break; }
                left -= rest;
                c->outOff = 0;
                c->out.pop();
            }
            // A short write means the send buffer is full; the kernel reports EPOLLOUT when it drains.
            if (static_cast<std::size_t>(n) < want) return;
        }
        if (c->closeAfterFlush) {
            shutdown(c->fd, SHUT_WR);
            // Unread input at close() makes the kernel send RST, which can destroy our answer in flight.
            static char sink[4096];
            while (read(c->fd, sink, sizeof sink) > 0) {}
            closeConn(c);
        }
    }

    void closeConn(Conn* c) {
        if (c->dead) return;
        if (c->role == Role::Subscriber) unsubscribe(c);
        conns_[static_cast<std::size_t>(c->fd)] = nullptr;
        close(c->fd);  // also leaves the epoll set
        c->fd = -1;
        c->dead = true;
        c->out.clear();
        graveyard_.push_back(c);
    }

    int lfd_, sfd_, ep_ = -1, spareFd_ = -1;
    std::uint64_t nextId_ = 1;
    bool publishing_ = false;
    std::vector<Conn*> conns_;  // by fd
    std::vector<Conn*> graveyard_;
    std::unordered_map<std::string, std::vector<Conn*>, StrHash, std::equal_to<>> channels_;
    const FrameRef streamHead_{"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                               "Connection: keep-alive\r\n\r\n"};
    const FrameRef accepted_{"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"};
    const FrameRef badBody_{"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"};
    const FrameRef continue_{"HTTP/1.1 100 Continue\r\n\r\n"};
};

int listenOn(const std::string& address, std::string& bound) {
    std::size_t colon = address.rfind(':');
    if (colon == std::string::npos) return -1;
    std::string host = address.substr(0, colon), port = address.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res)) {
        std::fprintf(stderr, "sse-baseline: %s: %s\n", address.c_str(), gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 4096) != 0) {
        std::fprintf(stderr, "sse-baseline: %s: %s\n", address.c_str(), std::strerror(errno));
        freeaddrinfo(res);
        if (fd >= 0) close(fd);
        return -1;
    }
    freeaddrinfo(res);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    char text[INET6_ADDRSTRLEN] = "";
    if (ss.ss_family == AF_INET6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
        bound = "[" + std::string(text) + "]:" + std::to_string(ntohs(a->sin6_port));
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
        bound = std::string(text) + ":" + std::to_string(ntohs(a->sin_port));
    }
    return fd;
}

constexpr const char* kUsage =
    "usage: sse-baseline [--listen HOST:PORT]\n"
    "\n"
    "Hardware-ceiling reference for sse-bench: one thread, epoll, writev of shared pre-framed events.\n"
    "  --listen HOST:PORT  address to listen on (default 127.0.0.1:0; port 0 picks a free port,\n"
    "                      printed as {\"msg\":\"listening\",\"address\":...} on stdout)\n"
    "  GET  /sub/<channel>            subscribe (text/event-stream until close; Last-Event-ID ignored)\n"
    "  POST /pub/<ch>[/<ch>...]       publish the one-line body as \"id: <n>\\ndata: <body>\\n\\n\" -> 202\n";

}  // namespace

int main(int argc, char** argv) {
    std::string address = "127.0.0.1:0";
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (arg == "--listen" && i + 1 < argc) {
            address = argv[++i];
        } else if (arg.substr(0, 9) == "--listen=") {
            address = std::string(arg.substr(9));
        } else {
            std::fprintf(stderr, "sse-baseline: unexpected argument '%s'\n%s", argv[i], kUsage);
            return 2;
        }
    }

    // Every subscriber is a descriptor; the benchmark needs as many as the hard limit allows.
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) perror("sse-baseline: setrlimit(RLIMIT_NOFILE)");
    }
    signal(SIGPIPE, SIG_IGN);  // a vanished subscriber must be an EPIPE, not the end of the process
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0) return perror("signalfd"), 1;

    std::string bound;
    int lfd = listenOn(address, bound);
    if (lfd < 0) return 1;
    std::printf("{\"msg\":\"listening\",\"address\":\"%s\"}\n", bound.c_str());
    std::fflush(stdout);

    int rc = Server(lfd, sfd).run();
    close(lfd);
    close(sfd);
    return rc;
}

#include "webhooks/delivery/sender.hpp"

#include "common/tls/client_context.hpp"
#include "webhooks/delivery/checked_resolver.hpp"
#include "webhooks/delivery/connection_pool.hpp"
#include "webhooks/delivery/delivery_target.hpp"
#include "webhooks/delivery/request_head.hpp"
#include "webhooks/delivery/response_text.hpp"
#include "webhooks/delivery/retry_after.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <stdexcept>

namespace ssegw::webhooks {
namespace {

using steady = std::chrono::steady_clock;
constexpr std::uint32_t head_limit = 16 * 1024;
constexpr std::chrono::seconds idle_timeout{30};
constexpr int max_interim_responses = 8;  // 100 Continue, 103 Early Hints: skipped, but not forever

address_policy const& default_policy() {
    static address_policy const p;
    return p;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool closed_by_peer(error_code ec) {
    return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::ssl::error::stream_truncated ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::connection_aborted;
}

/// What a failed exchange (after the connection was up) says about the receiver.
outcome exchange_outcome(error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::ssl::error::stream_truncated)
        return outcome::protocol;  // closed without a (complete) response
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category()) return outcome::protocol;
    if (ec.category() == net::error::get_ssl_category()) return outcome::tls;
    return outcome::connect;  // reset, unreachable, …
}

std::string exchange_detail(error_code ec, char const* while_doing) {
    if (ec == http::error::header_limit) return "response head over 16 KiB";
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::ssl::error::stream_truncated)
        return std::string("connection closed ") + while_doing;
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category())
        return "malformed response (" + ec.message() + ")";
    return ec.message() + " " + while_doing;
}

class attempt_op : public std::enable_shared_from_this<attempt_op> {
public:
    attempt_op(net::any_io_executor ex, attempt_request r, std::function<void(attempt_result)> done,
               address_policy const& policy, bool allow_http, tls::context_ptr ctx, std::shared_ptr<connection_pool> pool)
        : ex_(ex), req_(std::move(r)), done_(std::move(done)), allow_http_(allow_http), tls_(std::move(ctx)),
          pool_(std::move(pool)), resolver_(ex, policy), deadline_(ex) {}

    void start() {
        started_ = steady::now();
        auto t = parse_target(req_.url);
        if (!t) return finish(outcome::internal, "the URL is not a deliverable http(s) URL");
        target_ = std::move(*t);
        if (!target_.https && !allow_http_)
            return finish(outcome::blocked, "http:// URLs are not allowed (--webhook-allow-http is off)");
        auto head = request_head(target_, req_);
        if (head.head.empty()) return finish(outcome::internal, head.error);
        head_ = std::move(head.head);

        deadline_.expires_at(started_ + req_.timeout);
        deadline_.async_wait([self = shared_from_this()](error_code ec) {
            if (!ec) self->on_deadline();
        });
        if ((conn_ = pool_->take(target_.origin))) {
            reused_ = true;
            return write();
        }
        resolve();
    }

private:
    void resolve() {
        resolver_.resolve(target_, [self = shared_from_this()](checked_endpoints r) { self->on_resolved(std::move(r)); });
    }

    void on_resolved(checked_endpoints r) {
        if (finished_) return;
        if (r.result != outcome::success) return finish(r.result, r.detail);
        endpoints_ = std::move(r.endpoints);
        conn_ = target_.https ? std::make_shared<outbound_connection>(ex_, target_.origin, tls_)
                              : std::make_shared<outbound_connection>(ex_, target_.origin);
        conn_->tcp().async_connect(endpoints_, [self = shared_from_this()](error_code ec, tcp::endpoint const&) {
            self->on_connect(ec);
        });
    }

    void on_connect(error_code ec) {
        if (finished_) return;
        if (ec) {
            std::string to;
            for (auto const& e : endpoints_) to += (to.empty() ? "" : ", ") + e.address().to_string();
            return finish(outcome::connect, ec.message() + " (" + to + " port " + std::to_string(target_.port) + ")");
        }
        if (!conn_->is_tls()) return write();
        if (!tls::expect_host(conn_->tls_stream(), target_.host))
            return finish(outcome::tls, "cannot expect host " + target_.host);
        conn_->tls_stream().async_handshake(tls::ssl::stream_base::client,
                                            [self = shared_from_this()](error_code ec) { self->on_handshake(ec); });
    }

    void on_handshake(error_code ec) {
        if (finished_) return;
        if (!ec) return write();
        auto verify = SSL_get_verify_result(conn_->tls_stream().native_handle());
        if (verify != X509_V_OK)
            return finish(outcome::tls, std::string("certificate verify failed: ") +
                                            X509_verify_cert_error_string(verify));
        finish(outcome::tls, "handshake failed: " + ec.message());
    }

    void write() {
        std::array<net::const_buffer, 2> bufs{net::buffer(head_), net::buffer(req_.body)};
        conn_->with_stream([&](auto& s) {
            net::async_write(s, bufs, [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
        });
    }

    void on_write(error_code ec) {
        if (finished_) return;
        if (ec) {
            if (reused_ && closed_by_peer(ec)) return replace_stale();
            return finish(exchange_outcome(ec), exchange_detail(ec, "while sending the request"));
        }
        read_head();
    }

    void read_head() {
        parser_.emplace();
        parser_->header_limit(head_limit);
        parser_->body_limit(boost::none);  // only 4096 bytes are read; the length is the receiver's business
        conn_->with_stream([&](auto& s) {
            http::async_read_header(s, buf_, *parser_,
                                    [self = shared_from_this()](error_code ec, std::size_t) { self->on_head(ec); });
        });
    }

    void on_head(error_code ec) {
        if (finished_) return;
        if (ec) {
            // A kept-alive connection the receiver closed while it was idle: nothing was answered,
            // so the request goes once more on a new connection.
            if (reused_ && buf_.size() == 0 && closed_by_peer(ec)) return replace_stale();
            return finish(exchange_outcome(ec), exchange_detail(ec, "before the response head was complete"));
        }
        auto& res = parser_->get();
        int status = res.result_int();
        if (status >= 100 && status < 200 && status != 101 && ++interim_ <= max_interim_responses)
            return read_head();  // an interim response: the final one follows
        if (status < 200) return finish(outcome::protocol, "unexpected status " + std::to_string(status));

        head_done_ = true;
        result_.status = status;
        result_.response_time_ms = elapsed_ms();
        if (auto it = res.find(http::field::retry_after); it != res.end())
            result_.retry_after = parse_retry_after(std::string_view(it->value().data(), it->value().size()), unix_now());
        decided_ = status < 300 ? outcome::success : outcome::http_status;
        read_body();
    }

    void read_body() {
        auto& p = *parser_;
        if (p.is_done()) return body_end(true);
        if (body_len_ > response_body_limit) return body_end(false);  // the limit and a byte beyond: more follows
        auto& b = p.get().body();
        b.data = body_.data() + body_len_;
        b.size = body_.size() - body_len_;
        conn_->with_stream([&](auto& s) {
            http::async_read(s, buf_, p, [self = shared_from_this()](error_code ec, std::size_t) { self->on_body(ec); });
        });
    }

    void on_body(error_code ec) {
        if (finished_) return;
        body_len_ = body_.size() - parser_->get().body().size;
        if (ec == http::error::need_buffer) ec = {};
        if (ec) return body_end(false);  // cut short (reset, truncated): the status still stands
        read_body();
    }

    void body_end(bool whole) {
        // Reused only if it is in a known state: the response ended where it said, nothing after it.
        reusable_ = whole && parser_->get().keep_alive() && buf_.size() == 0;
        finish_with_body(whole);
    }

    void finish_with_body(bool whole) {
        result_.response_body = response_text(std::string_view(body_.data(), body_len_), whole);
        std::string detail;
        if (decided_ != outcome::success) detail = "HTTP " + std::to_string(*result_.status);
        finish(decided_, detail);
    }

    void on_deadline() {
        if (finished_) return;
        if (head_done_) return finish_with_body(false);  // the body so far; the outcome was decided by the head
        finish(outcome::timeout, "no response within " + std::to_string(req_.timeout.count()) + " ms");
    }

    void replace_stale() {
        reused_ = false;
        conn_->close();
        conn_.reset();
        buf_.consume(buf_.size());
        resolve();
    }

    std::int64_t elapsed_ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - started_).count();
    }

    void finish(outcome o, std::string const& detail) {
        if (finished_) return;
        finished_ = true;
        deadline_.cancel();
        resolver_.cancel();
        if (!head_done_) result_.response_time_ms = elapsed_ms();
        result_.result = o;
        if (o != outcome::success) result_.error_message = std::string(name_of(o)) + ": " + detail;
        if (conn_) {
            if (reusable_) pool_->give_back(std::move(conn_));
            else conn_->close();
        }
        auto done = std::move(done_);
        done(std::move(result_));
    }

    net::any_io_executor ex_;
    attempt_request req_;
    std::function<void(attempt_result)> done_;
    bool allow_http_;
    tls::context_ptr tls_;
    std::shared_ptr<connection_pool> pool_;
    checked_resolver resolver_;
    net::steady_timer deadline_;

    steady::time_point started_;
    delivery_target target_;
    std::string head_;
    std::vector<tcp::endpoint> endpoints_;
    std::shared_ptr<outbound_connection> conn_;
    bool reused_ = false;
    beast::flat_buffer buf_;
    std::optional<http::response_parser<http::buffer_body>> parser_;
    int interim_ = 0;
    bool head_done_ = false;
    outcome decided_ = outcome::internal;
    std::array<char, response_body_limit + 1> body_{};
    std::size_t body_len_ = 0;
    bool reusable_ = false;
    bool finished_ = false;
    attempt_result result_;
};

} // namespace

sender::sender(net::any_io_executor ex, sender_options o)
    : ex_(ex), opts_(std::move(o)),
      pool_(std::make_shared<connection_pool>(opts_.max_idle_per_origin,
                                              std::chrono::duration_cast<std::chrono::milliseconds>(idle_timeout))) {
    auto made = tls::make_client_context(opts_.ca_file);
    if (!made.ctx) throw std::runtime_error("webhook sender: " + made.error);
    tls_ = std::move(made.ctx);
}

sender::~sender() { pool_->shut(); }

void sender::send(attempt_request r, std::function<void(attempt_result)> done) {
    auto op = std::make_shared<attempt_op>(ex_, std::move(r), std::move(done),
                                           opts_.addresses ? *opts_.addresses : default_policy(), opts_.allow_http,
                                           tls_, pool_);
    net::post(ex_, [op] { op->start(); });
}

std::size_t sender::idle_connections() const noexcept { return pool_->idle_count(); }

} // namespace ssegw::webhooks

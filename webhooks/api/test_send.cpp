#include "webhooks/api/test_send.hpp"

#include "common/ids/uuid.hpp"
#include "common/log.hpp"
#include "webhooks/api/test_scripts.hpp"
#include "webhooks/engine/attempt_record.hpp"
#include "webhooks/model/webhook_input.hpp"
#include "webhooks/delivery/signed_request.hpp"

#include <memory>
#include <variant>

namespace ssegw::webhooks {
namespace {

using web::api_error;
using web::error_kind;
namespace ts = test_scripts;

constexpr std::string_view test_type = "webhook_test";

// One running test on the request's worker. Only its deadline timer's handler owns it: what
// crosses to the control thread (the send, the Redis steps) holds a weak_ptr, so nothing there
// keeps this worker's connection alive past the worker.
struct test_run {
    test_run(caller c, net::any_io_executor ex) : c(std::move(c)), deadline(ex) {}
    caller c;
    net::steady_timer deadline;
    bool answered = false;

    // Exactly one answer: the record, or the deadline's 503.
    bool take_answer() {
        if (answered) return false;
        answered = true;
        deadline.cancel();
        return true;
    }
};

// The test's Retry-After: the lock lives timeoutMs + 5 s, the test at most about timeoutMs + 1 s
// of that, so the other test ends by the lock's remaining time less 4 s.
unsigned retry_after_s(std::int64_t lock_ms_left) {
    auto ms = lock_ms_left - 4000;
    return ms <= 1000 ? 1u : static_cast<unsigned>((ms + 999) / 1000);
}

// Stores the result whether or not anyone still waits for it (a record is never left pending,
// the lock never held to its TTL), then answers if the run still can.
void finish(api_context& api, std::string const& user_id, ts::test_ids const& ids, net::any_io_executor ex,
            std::weak_ptr<test_run> weak, attempt_result const& r) {
    api.count_test(r.result);
    log::info("webhook test", {{"userId", user_id},
                               {"outcome", std::string(name_of(r.result))},
                               {"status", r.status ? nlohmann::json(*r.status) : nlohmann::json()},
                               {"ms", r.response_time_ms}});
    ts::result_fields f{r.result == outcome::success, r.status, r.response_time_ms, r.response_body,
                        r.error_message.empty() ? std::nullopt : std::optional<std::string>(r.error_message)};
    api.redis().command(ts::finish(user_id, ids, f, api.retention_ms()), ex, [weak](std::optional<redis::value> v) {
        auto run = weak.lock();
        if (!run || !run->take_answer()) return;
        if (!v || v->is_error()) return reply_redis_failure(run->c, v);
        auto fields = ts::read_finish(*v);
        if (!fields) {
            log::error("webhook test: the record is not readable after its result");
            return reply_error(run->c, {error_kind::internal, "the request could not be completed"});
        }
        reply(run->c, http::status::ok, record_json(*fields));
    });
}

void send_test(caller const& c, ts::test_ids const& ids, ts::started const& s, std::chrono::steady_clock::time_point arrived) {
    auto ex = c.ex->executor();
    auto run = std::make_shared<test_run>(c, ex);
    // The answer is due within timeoutMs + 1 s of the request: the sender's own deadline is
    // timeoutMs, so only a slow Redis reaches this one.
    run->deadline.expires_at(arrived + std::chrono::milliseconds(s.timeout_ms) + std::chrono::milliseconds(950));
    run->deadline.async_wait([run](error_code ec) {
        if (ec || !run->take_answer()) return;
        reply_error(run->c, {error_kind::unavailable, "the test's result could not be recorded in time"});
    });
    std::weak_ptr<test_run> weak = run;
    auto& api = c.api;

    auto signed_req = sign_request(api.settings().keys,
                                   {s.url, s.body, std::chrono::milliseconds(s.timeout_ms), test_type, ids.delivery_id,
                                    ids.event_id, c.user_id, s.secret, s.previous_secret, s.at_ms / 1000});
    // A secret that does not open: nothing is sent, the record says why, as a worker's would.
    if (auto* refused = std::get_if<attempt_result>(&signed_req)) return finish(api, c.user_id, ids, ex, weak, *refused);
    api.send(std::get<attempt_request>(std::move(signed_req)), ex, [&api, user = c.user_id, ids, ex, weak](attempt_result r) {
        finish(api, user, ids, ex, weak, r);
    });
}

} // namespace

void test_webhook(caller c) {
    auto arrived = std::chrono::steady_clock::now();
    auto const& req = c.ex->req();
    if (auto e = read_empty_input(req[http::field::content_type], req.body())) return reply_error(c, *e);
    ts::test_ids ids{ids::make_uuid7(), ids::make_uuid7(), ids::make_uuid7(), ids::make_uuid7()};
    c.api.redis().command(ts::start(c.user_id, ids, c.api.retention_ms()), c.ex->executor(),
                          [c, ids, arrived](std::optional<redis::value> v) {
                              if (!v || v->is_error()) return reply_redis_failure(c, v);
                              auto r = ts::read_start(*v);
                              if (!r) {
                                  log::error("webhook test: unexpected reply from the start script");
                                  return reply_error(c, {error_kind::internal, "the request could not be completed"});
                              }
                              if (std::holds_alternative<ts::no_webhook>(*r)) return reply_error(c, no_webhook());
                              if (auto* b = std::get_if<ts::busy>(&*r))
                                  return reply_error(c,
                                                     {error_kind::too_many_requests,
                                                      "a test of this webhook is already running: try again shortly"},
                                                     retry_after_s(b->lock_ms_left));
                              send_test(c, ids, std::get<ts::started>(*r), arrived);
                          });
}

} // namespace ssegw::webhooks

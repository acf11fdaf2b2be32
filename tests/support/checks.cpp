// GoogleTest predicates shared by the integration tests.
#include "tests/support/checks.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <stdexcept>

namespace ssegw::it {

::testing::AssertionResult is_error(int status, response_head const& head, std::string const& body,
                                    int want_status, std::string const& want_code) {
    auto fail = [&](std::string const& why) {
        return ::testing::AssertionFailure() << why << "\n--- response:\n" << head.raw << "\n\n" << body;
    };
    if (status != want_status) return fail("status " + std::to_string(status) + ", want " + std::to_string(want_status));
    auto ct = head.header("Content-Type");
    if (!ct || ascii_lower(*ct).rfind("application/json", 0) != 0) return fail("Content-Type is not application/json");
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("body is not a JSON object");
    if (!j.contains("error") || !j["error"].is_object()) return fail("no \"error\" object");
    auto const& e = j["error"];
    if (!e.contains("code") || !e["code"].is_string() || e["code"].get<std::string>() != want_code)
        return fail("error.code is not \"" + want_code + "\"");
    if (!e.contains("message") || !e["message"].is_string() || e["message"].get<std::string>().empty())
        return fail("error.message missing or empty");
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult has_stream_headers(response_head const& head) {
    auto fail = [&](std::string const& why) {
        return ::testing::AssertionFailure() << why << "\n--- head:\n" << head.raw;
    };
    if (head.status != 200) return fail("status is not 200");
    auto ct = head.header("Content-Type");
    if (!ct || ascii_lower(*ct) != "text/event-stream; charset=utf-8")
        return fail("Content-Type is not 'text/event-stream; charset=utf-8'");
    auto cc = head.header("Cache-Control");
    if (!cc || ascii_lower(*cc).find("no-cache") == std::string::npos) return fail("Cache-Control lacks no-cache");
    auto xa = head.header("X-Accel-Buffering");
    if (!xa || ascii_lower(*xa) != "no") return fail("X-Accel-Buffering is not 'no'");
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult has_retry_after(response_head const& head) {
    auto ra = head.header("Retry-After");
    if (!ra) return ::testing::AssertionFailure() << "no Retry-After header\n" << head.raw;
    long v = 0;
    auto [p, ec] = std::from_chars(ra->data(), ra->data() + ra->size(), v);
    if (ec != std::errc{} || p != ra->data() + ra->size() || v <= 0)
        return ::testing::AssertionFailure() << "Retry-After '" << *ra << "' is not a positive integer\n" << head.raw;
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_event_stream_refusal(sse_client& c, std::string const& want_code) {
    auto fail = [&](std::string const& why) { return ::testing::AssertionFailure() << why << "\n" << c.describe(); };
    if (c.status() != 200) return fail("status is not 200");
    auto ct = c.header("Content-Type");
    if (!ct || ascii_lower(*ct).rfind("text/event-stream", 0) != 0) return fail("Content-Type is not text/event-stream");
    std::vector<sse_event> events;
    while (auto e = c.read_event(in(5s))) events.push_back(std::move(*e));
    if (!c.wait_eof(in(5s))) return fail("the connection did not close");
    if (c.retries().empty() || c.retries().front() <= 0) return fail("no positive retry: field");
    if (events.size() != 1) return fail(std::to_string(events.size()) + " events, want exactly one");
    if (events[0].event != "error") return fail("the event is '" + events[0].event + "', not 'error'");
    auto j = nlohmann::json::parse(events[0].data, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("error") || !j["error"].is_object() ||
        j["error"].value("code", "") != want_code || !j["error"].contains("message"))
        return fail("event data is not {\"error\":{\"code\":\"" + want_code + "\",\"message\":…}}");
    return ::testing::AssertionSuccess();
}

std::unique_ptr<sse_client> open_stream(std::uint16_t port, std::string const& target, header_list headers) {
    auto c = std::make_unique<sse_client>(port, target, std::move(headers));
    if (c->status() != 200) {
        c->read_body(in(2s));
        throw std::runtime_error("stream " + target + " was refused:\n" + c->describe());
    }
    if (!c->read_until(in(5s), [&] { return !c->retries().empty(); }))
        throw std::runtime_error("stream " + target + " sent no retry: within 5 s:\n" + c->describe());
    return c;
}

std::optional<double> metric_value(std::string const& body, std::string const& series) {
    std::size_t pos = 0;
    while (pos < body.size()) {
        auto eol = body.find('\n', pos);
        if (eol == std::string::npos) eol = body.size();
        std::string_view line(body.data() + pos, eol - pos);
        pos = eol + 1;
        if (line.size() > series.size() && line.substr(0, series.size()) == series && line[series.size()] == ' ') {
            try {
                return std::stod(std::string(line.substr(series.size() + 1)));
            } catch (std::exception const&) {
                return std::nullopt;
            }
        }
    }
    return std::nullopt;
}

std::optional<double> scrape(std::uint16_t port, std::string const& series) {
    try {
        auto r = http_get(port, "/metrics", {}, in(3s));
        if (r.status() != 200) return std::nullopt;
        return metric_value(r.body, series);
    } catch (std::exception const&) {
        return std::nullopt;
    }
}

sse_event next_event(sse_client& c, deadline d) {
    auto e = c.read_event(d);
    if (!e) throw std::runtime_error("no event by the deadline:\n" + c.describe());
    return std::move(*e);
}

} // namespace ssegw::it

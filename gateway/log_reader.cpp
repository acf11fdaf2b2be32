#include "gateway/log_reader.hpp"

#include "common/log.hpp"

#include <string_view>

namespace ssegw::gateway {
namespace {

std::string_view str(redisReply const* r) {
    return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) ? std::string_view(r->str, r->len)
                                                                                  : std::string_view();
}

sse::event_id id_or_zero(redisReply const* r) { return sse::parse_event_id(str(r)).value_or(sse::event_id{}); }

} // namespace

std::vector<log_entry> parse_xrange(redisReply const* r) {
    std::vector<log_entry> out;
    if (!r || r->type != REDIS_REPLY_ARRAY) return out;
    out.reserve(r->elements);
    for (std::size_t i = 0; i < r->elements; ++i) {
        auto const* e = r->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[1]->type != REDIS_REPLY_ARRAY) continue;
        auto id = sse::parse_event_id(str(e->element[0]));
        if (!id) continue;
        log_entry entry{std::string(str(e->element[0])), *id, "analysis_result", {}};
        bool has_data = false;
        auto const* fields = e->element[1];
        for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
            auto name = str(fields->element[f]);
            if (name == "event" && !str(fields->element[f + 1]).empty()) entry.event = str(fields->element[f + 1]);
            else if (name == "data") {
                entry.data = str(fields->element[f + 1]);
                has_data = true;
            }
        }
        if (has_data) out.push_back(std::move(entry));
    }
    return out;
}

std::optional<log_info> parse_xinfo(redisReply const* r) {
    if (!r || r->type != REDIS_REPLY_ARRAY) return std::nullopt;
    log_info info;
    for (std::size_t i = 0; i + 1 < r->elements; i += 2) {
        auto name = str(r->element[i]);
        auto const* v = r->element[i + 1];
        auto integer = [&] { return v->type == REDIS_REPLY_INTEGER ? static_cast<std::uint64_t>(v->integer) : 0; };
        if (name == "length") info.length = integer();
        else if (name == "entries-added") info.entries_added = integer();
        else if (name == "last-generated-id") info.last_generated = id_or_zero(v);
        else if (name == "max-deleted-entry-id") info.max_deleted = id_or_zero(v);
        else if (name == "recorded-first-entry-id") info.recorded_first = id_or_zero(v);
    }
    return info;
}

void log_reader::replay(std::string const& log_key, sse::event_id last, std::function<void(replay_result)> done) {
    redis_.command({"XINFO", "STREAM", log_key}, [this, log_key, last, done = std::move(done)](redisReply* r) {
        if (!r) return done({});
        std::optional<log_info> info;
        if (r->type == REDIS_REPLY_ERROR) {
            if (std::string_view(r->str, r->len).find("no such key") == std::string_view::npos) {
                log::warn("XINFO failed", {{"key", log_key}, {"error", r->str}});
                return done({});
            }
        } else {
            info = parse_xinfo(r);
        }
        auto plan = plan_resume(last, info);
        std::string reason(plan.reset_reason);
        std::string start = plan.after ? "(" + plan.after->to_string() : "-";
        redis_.command({"XRANGE", log_key, start, "+"}, [reason, done = std::move(done)](redisReply* x) {
            if (!x || x->type != REDIS_REPLY_ARRAY) return done({});
            done({true, reason, parse_xrange(x)});
        });
    });
}

void log_reader::read_after(std::string const& log_key, sse::event_id after, std::function<void(replay_result)> done) {
    redis_.command({"XRANGE", log_key, "(" + after.to_string(), "+"}, [done = std::move(done)](redisReply* x) {
        if (!x || x->type != REDIS_REPLY_ARRAY) return done({});
        done({true, {}, parse_xrange(x)});
    });
}

void log_reader::newest(std::string const& log_key, std::function<void(std::optional<sse::event_id>)> done) {
    redis_.command({"XREVRANGE", log_key, "+", "-", "COUNT", "1"}, [done = std::move(done)](redisReply* x) {
        auto entries = parse_xrange(x);
        done(entries.empty() ? std::nullopt : std::optional(entries.front().parsed_id));
    });
}

} // namespace ssegw::gateway

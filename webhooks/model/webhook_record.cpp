#include "webhooks/model/webhook_record.hpp"

#include "common/time/iso8601.hpp"
#include "webhooks/model/event_types.hpp"
#include "webhooks/signing/signature.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace ssegw::webhooks {
namespace {

using json = nlohmann::ordered_json;

std::optional<std::int64_t> number_of(std::string const* v) {
    if (!v) return std::nullopt;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (v->empty() || ec != std::errc{} || end != v->data() + v->size()) return std::nullopt;
    return n;
}

json time_or_null(hash_fields const& f, std::string_view name) {
    auto ms = number_of(field_of(f, name));
    return ms ? json(iso8601::format_ms(*ms)) : json(nullptr);
}

json string_or_null(hash_fields const& f, std::string_view name) {
    auto* v = field_of(f, name);
    return v ? json(*v) : json(nullptr);
}

std::string dump(json const& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

} // namespace

std::string const* field_of(hash_fields const& fields, std::string_view name) {
    for (auto const& [k, v] : fields)
        if (k == name) return &v;
    return nullptr;
}

field_writes writes_of(webhook_changes const& c) {
    field_writes w;
    auto set = [&w](char const* name, std::string value) {
        w.set.emplace_back(name);
        w.set.push_back(std::move(value));
    };
    if (c.url) set("url", *c.url);
    if (c.name) {
        if (*c.name) set("name", **c.name);
        else w.del.emplace_back("name");
    }
    if (c.subscribed_types) set("subscribedTypes", *c.subscribed_types);
    if (c.filter) set("filter", *c.filter);
    if (c.timeout_ms) set("timeoutMs", std::to_string(*c.timeout_ms));
    if (c.max_retries) set("maxRetries", std::to_string(*c.max_retries));
    return w;
}

field_writes creation_writes(webhook_changes const& c, std::string const& id) {
    webhook_changes full = c;
    if (!full.subscribed_types) {
        std::string all;
        for (auto t : event_types) all += (all.empty() ? "" : " ") + std::string(t);
        full.subscribed_types = all;
    }
    if (!full.filter) full.filter = "{}";
    if (!full.timeout_ms) full.timeout_ms = 5000;
    if (!full.max_retries) full.max_retries = 3;
    auto w = writes_of(full);
    w.del.clear();
    for (auto const& [k, v] : std::initializer_list<std::pair<char const*, std::string>>{
             {"id", id}, {"enabled", c.enabled.value_or(true) ? "1" : "0"}, {"failCount", "0"}}) {
        w.set.emplace_back(k);
        w.set.push_back(v);
    }
    if (c.enabled && !*c.enabled) {
        // Created disabled: by its owner's hand.
        w.set.emplace_back("disabledReason");
        w.set.emplace_back("manual");
    }
    return w;
}

std::optional<std::int64_t> previous_secret_until(hash_fields const& fields, std::int64_t now_ms) {
    auto until = number_of(field_of(fields, "previousSecretUntil"));
    if (!field_of(fields, "previousSecret") || !until || *until <= now_ms) return std::nullopt;
    return until;
}

std::string webhook_json(hash_fields const& f, std::int64_t now_ms) {
    json types = json::array();
    if (auto* t = field_of(f, "subscribedTypes")) {
        std::string_view s = *t;
        while (!s.empty()) {
            auto sp = s.find(' ');
            types.push_back(std::string(s.substr(0, sp)));
            if (sp == std::string_view::npos) break;
            s.remove_prefix(sp + 1);
        }
    }
    json filter = json::object();
    if (auto* t = field_of(f, "filter")) {
        auto parsed = json::parse(*t, nullptr, false);
        if (parsed.is_object()) filter = std::move(parsed);
    }
    auto int_or = [&f](char const* name, std::int64_t fallback) { return number_of(field_of(f, name)).value_or(fallback); };
    bool enabled = !field_of(f, "enabled") || *field_of(f, "enabled") != "0";
    auto previous = previous_secret_until(f, now_ms);
    json j = {
        {"id", string_or_null(f, "id")},
        {"url", string_or_null(f, "url")},
        {"name", string_or_null(f, "name")},
        {"subscribedTypes", std::move(types)},
        {"filter", std::move(filter)},
        {"timeoutMs", int_or("timeoutMs", 5000)},
        {"maxRetries", int_or("maxRetries", 3)},
        {"enabled", enabled},
        {"disabledReason", enabled ? json(nullptr) : string_or_null(f, "disabledReason")},
        {"disabledAt", enabled ? json(nullptr) : time_or_null(f, "disabledAt")},
        {"failCount", int_or("failCount", 0)},
        {"lastTriggered", time_or_null(f, "lastTriggered")},
        {"lastDeliveryAt", time_or_null(f, "lastDeliveryAt")},
        {"previousSecretExpiresAt", previous ? json(iso8601::format_ms(*previous)) : json(nullptr)},
        {"createdAt", time_or_null(f, "createdAt")},
        {"updatedAt", time_or_null(f, "updatedAt")},
    };
    return dump(j);
}

std::string secret_json(std::string const& secret, hash_fields const& f, std::int64_t now_ms) {
    auto previous = previous_secret_until(f, now_ms);
    json j = {{"secret", secret},
              {"standardWebhooksSecret", standard_webhooks_secret(secret)},
              {"previousSecretExpiresAt", previous ? json(iso8601::format_ms(*previous)) : json(nullptr)}};
    return dump(j);
}

} // namespace ssegw::webhooks

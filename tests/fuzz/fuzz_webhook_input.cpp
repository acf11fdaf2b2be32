// The webhook management API's request bodies (POST/PATCH of the webhook, secret regeneration)
// and its URL rule: the bytes a client sends, straight into the validators.
//
// Invariants:
//  - never throws or crashes, on any bytes;
//  - a refusal is a 400 that names a member (`field`) and says why;
//  - what is accepted keeps the rules: the URL passes acceptable_url and is at most 500
//    characters, subscribedTypes are catalogue names in catalogue order without duplicates, the
//    filter is a JSON object of at most deviceIds/sceneIds, numbers are in their ranges, a
//    secret is valid; an update names at least one member.
#include "webhooks/model/event_types.hpp"
#include "webhooks/model/webhook_input.hpp"
#include "webhooks/secrets/secret.hpp"
#include "tests/support/fuzz_check.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace ssegw::webhooks;
using ssegw::fuzz::printable;

namespace {

void check_refusal(ssegw::web::api_error const& e, std::string_view in) {
    FUZZ_CHECK(e.kind == ssegw::web::error_kind::bad_request, printable(in));
    FUZZ_CHECK(!e.field.empty() && !e.message.empty(), printable(in));
}

void check_types(std::string const& types, std::string_view in) {
    std::size_t last = 0;
    bool first = true;
    std::string_view s = types;
    while (true) {
        auto sp = s.find(' ');
        auto index = event_type_index(s.substr(0, sp));
        FUZZ_CHECK(index.has_value(), printable(in) + " -> " + types);
        FUZZ_CHECK(first || *index > last, printable(in) + " -> " + types);
        last = *index;
        first = false;
        if (sp == std::string_view::npos) break;
        s.remove_prefix(sp + 1);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* bytes, std::size_t size) {
    if (size == 0) return 0;
    std::string_view in(reinterpret_cast<char const*>(bytes) + 1, size - 1);
    address_policy addresses;
    url_rules rules{(bytes[0] & 1) != 0, &addresses};
    auto what = (bytes[0] & 2) ? input_for::update : input_for::create;

    auto r = read_webhook_input("application/json", in, what, rules);
    if (auto* e = std::get_if<ssegw::web::api_error>(&r)) {
        check_refusal(*e, in);
    } else {
        auto const& c = std::get<webhook_changes>(r);
        if (c.url) FUZZ_CHECK(acceptable_url(*c.url, rules) && c.url->size() <= 500, printable(in));
        if (what == input_for::create) FUZZ_CHECK(c.url.has_value(), printable(in));
        if (what == input_for::update) {
            FUZZ_CHECK(!c.secret, printable(in));
            FUZZ_CHECK(c.url || c.name || c.subscribed_types || c.filter || c.timeout_ms || c.max_retries || c.enabled,
                       printable(in));
        }
        if (c.secret) FUZZ_CHECK(valid_secret(*c.secret), printable(in));
        if (c.subscribed_types) check_types(*c.subscribed_types, in);
        if (c.filter) {
            auto f = nlohmann::json::parse(*c.filter, nullptr, false);
            FUZZ_CHECK(f.is_object() && f.size() <= 2, printable(in) + " -> " + *c.filter);
            for (auto const& [k, v] : f.items())
                FUZZ_CHECK((k == "deviceIds" || k == "sceneIds") && v.is_array() && !v.empty() && v.size() <= 100,
                           printable(in) + " -> " + *c.filter);
        }
        if (c.timeout_ms) FUZZ_CHECK(*c.timeout_ms >= 1000 && *c.timeout_ms <= 30000, printable(in));
        if (c.max_retries) FUZZ_CHECK(*c.max_retries >= 0 && *c.max_retries <= 5, printable(in));
    }

    auto g = read_regenerate_input("application/json", in);
    if (auto* e = std::get_if<ssegw::web::api_error>(&g)) check_refusal(*e, in);
    else if (auto const& s = std::get<std::optional<std::string>>(g)) FUZZ_CHECK(valid_secret(*s), printable(in));

    // The same bytes as a URL: the rule never crashes, and what it accepts is short and absolute.
    if (acceptable_url(in, rules)) FUZZ_CHECK(in.size() <= 500 && in.find("://") != std::string_view::npos, printable(in));
    return 0;
}

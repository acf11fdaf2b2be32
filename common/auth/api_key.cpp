#include "common/auth/api_key.hpp"

#include "common/ascii.hpp"

#include <charconv>

namespace ssegw::auth {

key_record key_record_from_fields(std::vector<std::pair<std::string, std::string>> const& fields) {
    key_record k;
    k.found = !fields.empty();
    for (auto const& [name, value] : fields) {
        if (name == "userId") k.user_id = value;
        else if (name == "scopes") k.scopes = value;
        else if (name == "revoked") k.revoked = (value == "1" || value == "true");
        else if (name == "expiresAt" && !value.empty()) {
            std::int64_t t = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
            if (ec != std::errc{} || p != value.data() + value.size()) k.malformed = true;
            else k.expires_at = t;
        }
    }
    if (k.user_id.empty()) k.malformed = true;
    return k;
}

std::optional<std::string> bearer_token(std::string_view h) {
    while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
    if (h.size() < 7) return std::nullopt;
    if (!ascii::iequals(h.substr(0, 6), "bearer") || h[6] != ' ') return std::nullopt;
    h.remove_prefix(7);
    while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
    while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
    if (h.empty() || h.find(' ') != std::string_view::npos) return std::nullopt;
    return std::string(h);
}

std::optional<web::api_error> check_key(key_record const& k, std::int64_t now_unix,
                                        std::vector<std::string_view> const& any_of_scopes) {
    using web::api_error, web::error_kind;
    if (!k.found) return api_error{error_kind::unauthorized, "unknown API key"};
    if (k.malformed) return api_error{error_kind::unauthorized, "API key record is unusable"};
    if (k.revoked) return api_error{error_kind::unauthorized, "API key revoked"};
    if (k.expires_at && *k.expires_at <= now_unix) return api_error{error_kind::unauthorized, "API key expired"};
    if (any_of_scopes.empty()) return std::nullopt;
    std::string_view s = k.scopes;
    while (!s.empty()) {
        auto sp = s.find(' ');
        auto scope = s.substr(0, sp);
        for (auto wanted : any_of_scopes)
            if (scope == wanted) return std::nullopt;
        if (sp == std::string_view::npos) break;
        s.remove_prefix(sp + 1);
    }
    std::string names;
    for (auto wanted : any_of_scopes) names += (names.empty() ? "" : " or ") + std::string(wanted);
    return api_error{error_kind::forbidden, "API key lacks " + names + " scope"};
}

} // namespace ssegw::auth

#include "gateway/ticket_rules.hpp"

#include "common/hex.hpp"
#include "common/redis/keys.hpp"
#include "common/sha256.hpp"
#include "common/ids/device_id.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace ssegw::gateway {
namespace {

constexpr std::size_t ticket_bytes = 32;

// KEYS[1] the ticket hash; ARGV[1] the ttl in ms, then field/value pairs.
constexpr char const* store_script =
    "redis.call('DEL', KEYS[1]) "
    "redis.call('HSET', KEYS[1], unpack(ARGV, 2)) "
    "redis.call('PEXPIRE', KEYS[1], ARGV[1]) "
    "return 1";
// KEYS[1] the ticket hash: its fields, and it is gone (one use only).
constexpr char const* take_script =
    "local v = redis.call('HGETALL', KEYS[1]) "
    "if #v > 0 then redis.call('DEL', KEYS[1]) end "
    "return v";

bool is_json_media_type(std::string_view ct) {
    auto semi = ct.find(';');
    auto type = ct.substr(0, semi);
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    constexpr std::string_view want = "application/json";
    if (type.size() != want.size()) return false;
    for (std::size_t i = 0; i < want.size(); ++i)
        if ((type[i] | 0x20) != want[i]) return false;
    return true;
}

} // namespace

std::string new_ticket() {
    unsigned char buf[ticket_bytes];
    if (RAND_bytes(buf, sizeof buf) != 1) return {};
    static constexpr char hex[] = "0123456789abcdef";
    std::string t;
    t.reserve(2 * ticket_bytes);
    for (unsigned char b : buf) {
        t.push_back(hex[b >> 4]);
        t.push_back(hex[b & 0x0f]);
    }
    OPENSSL_cleanse(buf, sizeof buf);
    return t;
}

bool well_formed_ticket(std::string_view t) {
    static_assert(2 * ticket_bytes == 64);
    return is_hex64(t);
}

std::string ticket_redis_key(std::string_view t) { return redis::keys::ticket(sha256_hex(t)); }

std::variant<web::api_error, ticket_body> parse_ticket_body(std::string_view content_type, std::string_view body) {
    if (body.size() > ticket_body_limit)
        return web::api_error{web::error_kind::bad_request, "the ticket request body is limited to 1024 bytes"};
    ticket_body out;
    auto blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (blank) return out;
    if (!is_json_media_type(content_type))
        return web::api_error{web::error_kind::bad_request, "the ticket request body must be application/json"};
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return web::api_error{web::error_kind::bad_request, "the ticket request body must be a JSON object"};
    if (auto it = j.find("deviceId"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) return web::api_error{web::error_kind::bad_request, "deviceId must be a string"};
        auto id = it->get<std::string>();
        if (!ids::valid_device_id(id)) return web::api_error{web::error_kind::bad_request, "deviceId is not a valid device id"};
        out.device_id = std::move(id);
    }
    return out;
}

ticket_record ticket_record_from_fields(std::vector<std::pair<std::string, std::string>> const& fields) {
    ticket_record t;
    for (auto const& [name, value] : fields) {
        if (name == "keyHash") t.key_hash = value;
        else if (name == "userId") t.user_id = value;
        else if (name == "scopes") t.scopes = value;
        else if (name == "deviceId") t.device_id = value;
    }
    // A record without its key or user is unusable: treat it like no ticket at all.
    t.found = !t.key_hash.empty() && !t.user_id.empty();
    return t;
}

std::optional<web::api_error> check_ticket_target(ticket_record const& t, stream_kind kind, std::string_view device_id) {
    if (!t.found) return web::api_error{web::error_kind::unauthorized, "unknown, used or expired stream ticket"};
    if (!t.device_id) return std::nullopt;
    if (kind != stream_kind::device)
        return web::api_error{web::error_kind::forbidden, "this stream ticket is limited to one device"};
    if (*t.device_id != device_id)
        return web::api_error{web::error_kind::forbidden, "this stream ticket is for another device"};
    return std::nullopt;
}

std::vector<std::string> ticket_store_command(std::string const& redis_key, ticket_record const& t,
                                              std::chrono::milliseconds ttl) {
    auto ms = ttl.count() < 1 ? 1 : ttl.count();
    std::vector<std::string> args{"EVAL", store_script, "1", redis_key, std::to_string(ms),
                                  "keyHash", t.key_hash, "userId", t.user_id, "scopes", t.scopes};
    if (t.device_id) {
        args.emplace_back("deviceId");
        args.push_back(*t.device_id);
    }
    return args;
}

std::vector<std::string> ticket_take_command(std::string const& redis_key) {
    return {"EVAL", take_script, "1", redis_key};
}

std::int64_t ticket_expires_in(std::chrono::milliseconds ttl) {
    auto s = (ttl.count() + 999) / 1000;
    return s < 1 ? 1 : s;
}

} // namespace ssegw::gateway

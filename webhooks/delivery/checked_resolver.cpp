#include "webhooks/delivery/checked_resolver.hpp"

#include <algorithm>

namespace ssegw::webhooks {
namespace {

std::string list(std::vector<net::ip::address> const& addresses) {
    std::string s;
    std::size_t shown = 0;
    for (auto const& a : addresses) {
        if (shown == 4) {
            s += ", …";
            break;
        }
        if (shown++) s += ", ";
        s += a.to_string();
    }
    return s;
}

} // namespace

checked_endpoints check_addresses(std::vector<net::ip::address> const& addresses, std::uint16_t port,
                                  std::string const& host, address_policy const& policy) {
    checked_endpoints r;
    if (addresses.empty()) {
        r.result = outcome::dns;
        r.detail = "no address for " + host;
        return r;
    }
    for (auto const& a : addresses)
        if (!policy.refused(a)) r.endpoints.emplace_back(a, port);
    if (r.endpoints.empty()) {
        r.result = outcome::blocked;
        r.detail = "every address of " + host + " is refused (" + list(addresses) + ")";
    }
    return r;
}

checked_resolver::checked_resolver(net::any_io_executor ex, address_policy const& policy)
    : ex_(ex), resolver_(ex), policy_(policy) {}

void checked_resolver::resolve(delivery_target const& t, std::function<void(checked_endpoints)> done) {
    if (t.ip_literal) {
        error_code ec;
        auto a = net::ip::make_address(t.host, ec);
        std::vector<net::ip::address> one;
        if (!ec) one.push_back(a);
        net::post(ex_, [r = check_addresses(one, t.port, t.host, policy_), done = std::move(done)]() mutable {
            done(std::move(r));
        });
        return;
    }
    // numeric_service only: without address_configured both families are asked for.
    resolver_.async_resolve(
        t.host, std::to_string(t.port), tcp::resolver::numeric_service,
        [this, host = t.host, port = t.port, done = std::move(done)](error_code ec, tcp::resolver::results_type res) {
            if (ec == net::error::operation_aborted) return;
            if (ec) {
                checked_endpoints r;
                r.result = outcome::dns;
                r.detail = "no address for " + host + " (" + ec.message() + ")";
                done(std::move(r));
                return;
            }
            std::vector<net::ip::address> addresses;
            for (auto const& e : res) {
                auto a = e.endpoint().address();
                if (std::find(addresses.begin(), addresses.end(), a) == addresses.end()) addresses.push_back(a);
            }
            done(check_addresses(addresses, port, host, policy_));
        });
}

void checked_resolver::cancel() { resolver_.cancel(); }

} // namespace ssegw::webhooks

// The SSRF guard's half at delivery time: the attempt resolves the host itself and keeps only the
// addresses the address policy lets through; the sender connects to exactly these endpoints,
// never to the name, so a second lookup (DNS rebinding) cannot swap the address after the check.
// No proxy is consulted: Asio never reads HTTP_PROXY/HTTPS_PROXY/NO_PROXY (nor does this code),
// so a proxy variable cannot route a delivery around the check.
#pragma once

#include "common/net.hpp"
#include "webhooks/delivery/attempt.hpp"
#include "webhooks/delivery/delivery_target.hpp"
#include "webhooks/model/address_policy.hpp"

#include <functional>
#include <string>
#include <vector>

namespace ssegw::webhooks {

struct checked_endpoints {
    outcome result = outcome::success;       // success, dns (no usable answer) or blocked (all refused)
    std::string detail;                      // why, when not success (for errorMessage)
    std::vector<tcp::endpoint> endpoints;    // the permitted addresses with the target's port, resolver order
};

/// The permitted endpoints among `addresses`; `host` names them in the detail.
checked_endpoints check_addresses(std::vector<net::ip::address> const& addresses, std::uint16_t port,
                                  std::string const& host, address_policy const& policy);

/// One resolution at a time, on the executor it is made with (its completion runs there, never
/// inside resolve()). IP literals are checked without DNS; names ask for A and AAAA both (no
/// AI_ADDRCONFIG), so an IPv6 answer is checked even on a host without IPv6 routes.
class checked_resolver {
public:
    checked_resolver(net::any_io_executor ex, address_policy const& policy);

    void resolve(delivery_target const& t, std::function<void(checked_endpoints)> done);
    /// A pending lookup completes with operation_aborted and its `done` is not called.
    void cancel();

private:
    net::any_io_executor ex_;
    tcp::resolver resolver_;
    address_policy const& policy_;
};

} // namespace ssegw::webhooks

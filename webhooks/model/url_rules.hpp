// Whether a URL may be a webhook's target: absolute https (http only when the operator allows it),
// at most 500 characters of RFC 3986, a host name or a permitted IP literal, no userinfo, no
// fragment, a port in 1-65535. Pure.
#pragma once

#include "webhooks/model/address_policy.hpp"

#include <string_view>

namespace ssegw::webhooks {

struct url_rules {
    bool allow_http = false;
    address_policy const* addresses = nullptr;  // IP-literal hosts are checked here; null: not checked
};

bool acceptable_url(std::string_view url, url_rules const& rules);

} // namespace ssegw::webhooks

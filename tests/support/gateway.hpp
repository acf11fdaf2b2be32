// The real sse-gateway and sse-webhookd as child processes (see service.hpp).
#pragma once

#include "tests/support/service.hpp"

namespace ssegw::it {

class gateway : public service {
public:
    gateway(std::filesystem::path const& dir, std::string redis_url, std::string instance_id,
            std::vector<std::string> extra_args = {}, bool wait_ready = true,
            std::vector<std::pair<std::string, std::string>> env = {})
        : service(gateway_binary(), "sse-gateway", dir, std::move(redis_url), std::move(instance_id),
                  std::move(extra_args), wait_ready, std::move(env)) {}
};

class webhookd : public service {
public:
    /// Give it at least --webhook-secret-key-file.
    webhookd(std::filesystem::path const& dir, std::string redis_url, std::string instance_id,
             std::vector<std::string> extra_args = {}, bool wait_ready = true,
             std::vector<std::pair<std::string, std::string>> env = {})
        : service(webhookd_binary(), "sse-webhookd", dir, std::move(redis_url), std::move(instance_id),
                  std::move(extra_args), wait_ready, std::move(env)) {}
};

} // namespace ssegw::it

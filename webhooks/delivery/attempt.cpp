#include "webhooks/delivery/attempt.hpp"

namespace ssegw::webhooks {

std::string_view name_of(outcome o) {
    switch (o) {
    case outcome::success: return "success";
    case outcome::http_status: return "http_status";
    case outcome::timeout: return "timeout";
    case outcome::dns: return "dns";
    case outcome::connect: return "connect";
    case outcome::tls: return "tls";
    case outcome::protocol: return "protocol";
    case outcome::blocked: return "blocked";
    case outcome::internal: return "internal";
    case outcome::cancelled: return "cancelled";
    }
    return "internal";
}

} // namespace ssegw::webhooks

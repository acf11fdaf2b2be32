#include "webhookd/flight_slots.hpp"

namespace ssegw::webhookd {

bool flight_slots::webhook_has_room(std::string const& user) const {
    auto it = per_user_.find(user);
    return it == per_user_.end() || it->second < max_per_;
}

bool flight_slots::reserve() {
    if (free() == 0) return false;
    ++total_;
    ++reserved_;
    return true;
}

void flight_slots::assign(std::string const& user) {
    if (reserved_ > 0) --reserved_;
    ++per_user_[user];
}

void flight_slots::take(std::string const& user) {
    ++total_;
    ++per_user_[user];
}

void flight_slots::unreserve() {
    if (reserved_ == 0) return;
    --reserved_;
    --total_;
}

void flight_slots::release(std::string const& user) {
    if (total_ > 0) --total_;
    auto it = per_user_.find(user);
    if (it == per_user_.end()) return;
    if (--it->second == 0) per_user_.erase(it);  // the map holds only webhooks in flight
}

std::vector<std::pair<std::string, std::size_t>> flight_slots::busy() const {
    return {per_user_.begin(), per_user_.end()};
}

} // namespace ssegw::webhookd

// How many attempts this instance holds, in all and per webhook (a user has one webhook), against
// --max-in-flight and --max-in-flight-per-webhook. Pure; the worker's thread only.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ssegw::webhookd {

class flight_slots {
public:
    flight_slots(std::size_t max_total, std::size_t max_per_webhook) : max_total_(max_total), max_per_(max_per_webhook) {}

    /// Slots taken, reservations of a claim in flight included.
    std::size_t held() const noexcept { return total_; }
    /// Attempts this instance holds (sse_webhook_in_flight): slots taken for a known webhook.
    std::size_t attempts() const noexcept { return total_ - reserved_; }
    std::size_t free() const noexcept { return total_ >= max_total_ ? 0 : max_total_ - total_; }
    std::size_t max_per_webhook() const noexcept { return max_per_; }
    /// Whether one more attempt to `user`'s webhook stays within its cap.
    bool webhook_has_room(std::string const& user) const;

    /// Reserves a slot not yet tied to a webhook (for a claim whose attempts are not known yet);
    /// false when none is free.
    bool reserve();
    /// Ties a reserved slot to `user`'s webhook (the claim returned an attempt to it).
    void assign(std::string const& user);
    /// Takes a slot for an attempt to `user`'s webhook (an entry about to be planned and sent);
    /// the caller checked free() and webhook_has_room().
    void take(std::string const& user);
    /// Frees a reserved slot that became no attempt.
    void unreserve();
    /// Frees `user`'s slot: its attempt ended and was recorded (or abandoned).
    void release(std::string const& user);

    /// The webhooks with attempts in flight and how many: what the claim step must respect.
    std::vector<std::pair<std::string, std::size_t>> busy() const;

private:
    std::size_t max_total_, max_per_;
    std::size_t total_ = 0;
    std::size_t reserved_ = 0;  // taken by reserve(), not yet assigned
    std::unordered_map<std::string, std::size_t> per_user_;
};

} // namespace ssegw::webhookd

// One of the instance's --max-connections slots, held by whichever session owns the socket.
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

namespace ssegw::web {

class connection_slot {
public:
    connection_slot() = default;
    explicit connection_slot(std::atomic<std::size_t>& open) : open_(&open) {}
    connection_slot(connection_slot&& o) noexcept : open_(std::exchange(o.open_, nullptr)) {}
    connection_slot& operator=(connection_slot&& o) noexcept {
        if (this != &o) {
            reset();
            open_ = std::exchange(o.open_, nullptr);
        }
        return *this;
    }
    ~connection_slot() { reset(); }

private:
    void reset() {
        if (open_) open_->fetch_sub(1, std::memory_order_relaxed);
        open_ = nullptr;
    }
    std::atomic<std::size_t>* open_ = nullptr;
};

} // namespace ssegw::web

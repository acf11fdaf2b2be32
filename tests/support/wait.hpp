// Deadlines and condition polling for the integration tests: wait on a condition, never a fixed sleep.
#pragma once

#include <chrono>
#include <thread>

namespace ssegw::it {

using clock = std::chrono::steady_clock;
using deadline = clock::time_point;
using namespace std::chrono_literals;

/// A deadline `d` from now.
inline deadline in(clock::duration d) { return clock::now() + d; }

/// Milliseconds left until `d` (0 if past), for poll(2).
inline int ms_left(deadline d) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d - clock::now()).count();
    if (left <= 0) return 0;
    return left > 1'000'000 ? 1'000'000 : static_cast<int>(left);
}

/// Polls `pred` every `step` until it holds (true) or the deadline passes (false).
template <class Pred>
bool poll_until(deadline d, Pred&& pred, std::chrono::milliseconds step = 20ms) {
    for (;;) {
        if (pred()) return true;
        if (clock::now() >= d) return false;
        std::this_thread::sleep_for(step);
    }
}

/// Seconds elapsed since `t0`, for messages.
inline double seconds_since(clock::time_point t0) {
    return std::chrono::duration<double>(clock::now() - t0).count();
}

} // namespace ssegw::it

// The one random source for spreading retries and reconnects over a window (client retry:
// values, Redis back-off), so fleets of clients or instances never move in lockstep.
#pragma once

namespace ssegw {

/// A uniformly drawn value in [lo, hi]; per thread, never locked.
unsigned jittered(unsigned lo, unsigned hi);
double jittered(double lo, double hi);

} // namespace ssegw

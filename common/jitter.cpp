#include "common/jitter.hpp"

#include <random>

namespace ssegw {
namespace {

std::mt19937& rng() {
    static thread_local std::mt19937 r{std::random_device{}()};
    return r;
}

} // namespace

unsigned jittered(unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng()); }
double jittered(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng()); }

} // namespace ssegw

// A tiny portable PRNG (splitmix64) so synthetic scenes are identical on every compiler and standard library.
#pragma once
#include <cstdint>

namespace dpn::datasets {

// One splitmix64 step as a pure hash; also used to derive a scene's stream from (seed, index).
inline uint64_t splitmix64_hash(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// std::uniform_int_distribution differs between libstdc++ and libc++, so every draw goes through here.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}

  uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n) by multiply-shift of the high 32 bits; the bias (< n / 2^32) is irrelevant here.
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * static_cast<uint64_t>(n)) >> 32); }

  // Uniform in [lo, hi], both inclusive.
  int range(int lo, int hi) { return lo + static_cast<int>(below(static_cast<uint32_t>(hi - lo + 1))); }

  bool coin() { return (next() >> 63) != 0; }

 private:
  uint64_t state_;
};

}  // namespace dpn::datasets

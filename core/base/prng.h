#pragma once
// Prng: a seeded, splittable generator (xoshiro256**, seeded through SplitMix64).
// Every component takes its own stream from Split(label), so adding draws in one component never
// shifts the random choices of another. No global generators exist anywhere in core/ or sim/.

#include <cstdint>
#include <string_view>

namespace samsa {

class Prng {
 public:
  explicit Prng(uint64_t seed);

  uint64_t NextU64();
  // Uniform in [0, bound); bound > 0. Unbiased (Lemire's method).
  uint64_t Uniform(uint64_t bound);
  // Uniform in [lo, hi]; lo <= hi.
  int64_t Range(int64_t lo, int64_t hi);
  // True with probability numerator/denominator (integers only: no floating point in decisions).
  bool Chance(uint64_t numerator, uint64_t denominator);

  // An independent stream derived from this generator's seed and a label; does not advance *this.
  Prng Split(std::string_view label) const;
  Prng Split(uint64_t stream) const;

  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_;
  uint64_t s_[4];
};

// SplitMix64 finalizer, also used to derive seeds.
uint64_t Mix64(uint64_t x);

}  // namespace samsa

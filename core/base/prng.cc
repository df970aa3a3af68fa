#include "core/base/prng.h"

#include "core/base/assert.h"

namespace samsa {

uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Prng::Prng(uint64_t seed) : seed_(seed) {
  uint64_t x = seed;
  for (auto& s : s_) {
    x += 0x9e3779b97f4a7c15ULL;
    s = Mix64(x);
  }
}

static inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t Prng::NextU64() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Prng::Uniform(uint64_t bound) {
  SAMSA_ASSERT(bound > 0);
  unsigned __int128 m = (unsigned __int128)NextU64() * bound;
  uint64_t low = uint64_t(m);
  if (low < bound) {
    uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = (unsigned __int128)NextU64() * bound;
      low = uint64_t(m);
    }
  }
  return uint64_t(m >> 64);
}

int64_t Prng::Range(int64_t lo, int64_t hi) {
  SAMSA_ASSERT(lo <= hi);
  uint64_t span = uint64_t(hi) - uint64_t(lo);
  if (span == UINT64_MAX) return int64_t(NextU64());
  return int64_t(uint64_t(lo) + Uniform(span + 1));
}

bool Prng::Chance(uint64_t numerator, uint64_t denominator) {
  SAMSA_ASSERT(denominator > 0);
  return Uniform(denominator) < numerator;
}

Prng Prng::Split(std::string_view label) const {
  // FNV-1a of the label, mixed with the seed: stable across platforms and builds.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : label) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return Prng(Mix64(seed_ ^ Mix64(h)));
}

Prng Prng::Split(uint64_t stream) const { return Prng(Mix64(seed_ ^ Mix64(stream + 0x5851f42d4c957f2dULL))); }

}  // namespace samsa

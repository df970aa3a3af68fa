#include "core/client/murmur2.h"

#include <algorithm>

#include "core/base/assert.h"

namespace samsa::client {

int32_t Murmur2(ByteView data) {
  // Java int arithmetic: multiplication wraps, >>> is a logical shift. uint32_t does both.
  const uint32_t length = uint32_t(data.size());
  const uint32_t seed = 0x9747b28c;
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  uint32_t h = seed ^ length;
  const size_t length4 = data.size() / 4;
  for (size_t i = 0; i < length4; ++i) {
    const size_t i4 = i * 4;
    uint32_t k = uint32_t(data[i4]) | (uint32_t(data[i4 + 1]) << 8) |
                 (uint32_t(data[i4 + 2]) << 16) | (uint32_t(data[i4 + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const size_t tail = data.size() & ~size_t(3);
  switch (data.size() % 4) {
    case 3:
      h ^= uint32_t(data[tail + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t(data[tail + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t(data[tail]);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return int32_t(h);
}

int32_t KeyedPartition(ByteView key, int32_t num_partitions) {
  SAMSA_ASSERT(num_partitions > 0);
  return ToPositive(Murmur2(key)) % num_partitions;
}

int32_t StickyPartitioner::Draw(int32_t previous, int32_t num_partitions,
                                const std::vector<int32_t>& available, Prng& prng) {
  std::vector<int32_t> candidates;
  for (int32_t p : available)
    if (p >= 0 && p < num_partitions) candidates.push_back(p);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  if (candidates.empty())
    for (int32_t p = 0; p < num_partitions; ++p) candidates.push_back(p);
  if (candidates.size() > 1) {
    // Avoid the previous partition when there is a choice (KIP-480).
    auto it = std::find(candidates.begin(), candidates.end(), previous);
    if (it != candidates.end()) candidates.erase(it);
  }
  return candidates[size_t(prng.Uniform(candidates.size()))];
}

int32_t StickyPartitioner::Partition(const std::string& topic, int32_t num_partitions,
                                     const std::vector<int32_t>& available, Prng& prng) {
  SAMSA_ASSERT(num_partitions > 0);
  auto it = sticky_.find(topic);
  if (it != sticky_.end() && it->second < num_partitions) return it->second;
  int32_t p = Draw(-1, num_partitions, available, prng);
  sticky_[topic] = p;
  return p;
}

void StickyPartitioner::OnNewBatch(const std::string& topic, int32_t previous,
                                   int32_t num_partitions, const std::vector<int32_t>& available,
                                   Prng& prng) {
  SAMSA_ASSERT(num_partitions > 0);
  auto it = sticky_.find(topic);
  if (it != sticky_.end() && it->second != previous) return;
  sticky_[topic] = Draw(previous, num_partitions, available, prng);
}

}  // namespace samsa::client

#pragma once
// PartitionSlots: where each partition number of one topic sits in a caller's array of entries
// (a fetch session's partitions, a consumer's assignment, a producer's queues), found in one
// read instead of a search. Numbers below a bound that follows the entry count (8 per entry plus
// 64: a topic's partitions are 0..n-1) are kept in an array by number; any other number (a
// stray large or negative one) in a hash map, so a few odd numbers never make the array large.
// The caller keeps it in step with its array: Set when an entry is filed, ShiftFrom when one is
// inserted before others, Clear and Set again after removals.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace samsa {

class PartitionSlots {
 public:
  static constexpr size_t kNone = SIZE_MAX;

  // partition's slot, or kNone.
  size_t Find(int32_t partition) const {
    if (partition >= 0 && size_t(partition) < dense_.size() && dense_[size_t(partition)] != 0)
      return dense_[size_t(partition)] - 1;
    if (sparse_.empty()) return kNone;
    auto it = sparse_.find(partition);
    return it == sparse_.end() ? kNone : it->second;
  }
  // Files partition at slot (replacing what it had); `entries` is the caller's entry count now,
  // which sets the bound of the array.
  void Set(int32_t partition, uint32_t slot, size_t entries);
  // Every slot at or above `from` moves up by one (an entry was inserted at `from`).
  void ShiftFrom(uint32_t from);
  void Clear();

 private:
  std::vector<uint32_t> dense_;  // slot + 1 by partition number; 0: not filed
  std::unordered_map<int32_t, uint32_t> sparse_;
};

}  // namespace samsa

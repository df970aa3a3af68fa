#include "core/base/partition_slots.h"

namespace samsa {

void PartitionSlots::Set(int32_t partition, uint32_t slot, size_t entries) {
  if (partition >= 0 && size_t(partition) < 8 * entries + 64) {
    if (size_t(partition) >= dense_.size()) dense_.resize(size_t(partition) + 1, 0);
    dense_[size_t(partition)] = slot + 1;
    if (!sparse_.empty()) sparse_.erase(partition);  // filed in the map while the bound was lower
  } else {
    if (partition >= 0 && size_t(partition) < dense_.size()) dense_[size_t(partition)] = 0;
    sparse_[partition] = slot;
  }
}

void PartitionSlots::ShiftFrom(uint32_t from) {
  for (uint32_t& s : dense_)
    if (s > from) ++s;  // s is slot + 1: slot >= from
  for (auto& [partition, slot] : sparse_)
    if (slot >= from) ++slot;
}

void PartitionSlots::Clear() {
  dense_.clear();
  sparse_.clear();
}

}  // namespace samsa

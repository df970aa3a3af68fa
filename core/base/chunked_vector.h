#pragma once
// ChunkedVector<T>: an append-only sequence stored in fixed chunks of 2^ChunkBits elements.
// Appends never move earlier elements (references stay valid), growth never copies, and
// indexing is a shift and a mask. For the simulator's long records (a run's History holds
// millions of events): a std::vector copies everything as it grows and faults in each new block
// again; a std::deque of large elements allocates every one or two elements.

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "core/base/index_iterator.h"

namespace samsa {

template <typename T, size_t ChunkBits = 12>
class ChunkedVector {
 public:
  using const_iterator = IndexIterator<ChunkedVector, const T&>;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return chunks_[i >> ChunkBits][i & kMask]; }
  const T& operator[](size_t i) const { return chunks_[i >> ChunkBits][i & kMask]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }

  void push_back(const T& t) { Slot() = t; }
  void push_back(T&& t) { Slot() = std::move(t); }

 private:
  static constexpr size_t kMask = (size_t{1} << ChunkBits) - 1;

  // The element at size_ (growing by a chunk when needed), counted, for push_back to assign.
  // A new chunk is default-initialized, not zeroed: a trivial T is left for the assignment to
  // write (each chunk's memory is written once, not twice).
  T& Slot() {
    if ((size_ & kMask) == 0 && (size_ >> ChunkBits) == chunks_.size())
      chunks_.push_back(std::make_unique_for_overwrite<T[]>(kMask + 1));
    return (*this)[size_++];
  }

  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace samsa

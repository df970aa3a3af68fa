#include "sim/kernel.h"

#include "core/base/assert.h"

namespace samsa::sim {

uint64_t Kernel::Schedule(int64_t time_ns, uint32_t kind, int32_t node, uint64_t arg0,
                          uint64_t arg1) {
  Event e{time_ns < now_ns_ ? now_ns_ : time_ns, next_seq_++, kind, node, arg0, arg1};
  // Sift up.
  size_t i = heap_.size();
  heap_.push_back(e);
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!Before(e, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
  return e.seq;
}

Event Kernel::Pop() {
  Event top = heap_.front();
  Event last = heap_.back();
  heap_.pop_back();
  size_t n = heap_.size();
  if (n > 0) {
    // Sift the former last element down from the root.
    size_t i = 0;
    while (true) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Before(heap_[child + 1], heap_[child])) ++child;
      if (!Before(heap_[child], last)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = last;
  }
  return top;
}

bool Kernel::Step() {
  if (heap_.empty()) return false;
  Event e = Pop();
  SAMSA_ASSERT(e.time_ns >= now_ns_);
  now_ns_ = e.time_ns;
  ++events_run_;
  if (handler_ != nullptr) handler_->HandleEvent(e);
  return true;
}

uint64_t Kernel::RunUntil(int64_t t_ns) {
  uint64_t ran = 0;
  while (!heap_.empty() && heap_.front().time_ns <= t_ns) {
    Step();
    ++ran;
  }
  if (t_ns > now_ns_) now_ns_ = t_ns;
  return ran;
}

uint64_t Kernel::RunAll(uint64_t max_events) {
  uint64_t ran = 0;
  while (ran < max_events && Step()) ++ran;
  return ran;
}

}  // namespace samsa::sim

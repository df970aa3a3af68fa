#include "sim/kernel.h"

#include "core/base/assert.h"

namespace samsa::sim {

uint64_t Kernel::Schedule(int64_t time_ns, uint32_t kind, int32_t node, uint64_t arg0,
                          uint64_t arg1) {
  Event e{time_ns < now_ns_ ? now_ns_ : time_ns, next_seq_++, kind, node, arg0, arg1};
  heap_.emplace_back();
  SiftUp(heap_.size() - 1, e);
  return e.seq;
}

uint64_t Kernel::ScheduleKeyed(uint32_t key, int64_t time_ns, uint32_t kind, int32_t node,
                               uint64_t arg0, uint64_t arg1) {
  SAMSA_ASSERT(key != Event::kNoKey);
  if (key >= key_pos_.size()) key_pos_.resize(size_t(key) + 1, kNotQueued);
  Event e{time_ns < now_ns_ ? now_ns_ : time_ns, next_seq_++, kind, node, arg0, arg1, key};
  const size_t at = key_pos_[key];
  if (at == kNotQueued) {
    heap_.emplace_back();
    SiftUp(heap_.size() - 1, e);
  } else if (at > 0 && Before(e, heap_[(at - 1) / 2])) {
    SiftUp(at, e);  // replaces the pending one, earlier now
  } else {
    SiftDown(at, e);  // replaces the pending one, later now (a new seq is never earlier)
  }
  return e.seq;
}

void Kernel::SiftUp(size_t i, const Event& e) {
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!Before(e, heap_[parent])) break;
    Place(i, heap_[parent]);
    i = parent;
  }
  Place(i, e);
}

void Kernel::SiftDown(size_t i, const Event& e) {
  const size_t n = heap_.size();
  while (true) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && Before(heap_[child + 1], heap_[child])) ++child;
    if (!Before(heap_[child], e)) break;
    Place(i, heap_[child]);
    i = child;
  }
  Place(i, e);
}

Event Kernel::Pop() {
  Event top = heap_.front();
  if (top.key != Event::kNoKey) key_pos_[top.key] = kNotQueued;
  Event last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) SiftDown(0, last);  // the former last element, from the root
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

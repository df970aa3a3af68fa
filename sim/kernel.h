#pragma once
// Kernel: the discrete-event core of the simulator. A virtual clock and a queue of small POD
// events ordered by (time_ns, seq), where seq is the insertion sequence: two events due at the
// same instant run in the order they were scheduled, never in an order a container happens to
// pick. When nothing is due, time jumps straight to the next event.
//
// Events carry no closures: {kind, node, arg0, arg1} are interpreted by one EventHandler (the
// Simulation), which keeps any payload (frame bytes, scripted actions) in its own slab and passes
// the slot index in an arg. This keeps the hot path to a heap push/pop and one virtual call.
//
// Contract: Schedule() never accepts a time earlier than now_ns() (it is clamped to now, so the
// clock never runs backwards). Handlers may schedule more events while running.
//
// Keyed events (a node's timer): at most one is pending per key, and scheduling one replaces the
// pending one in place, exactly as if it were removed and the new one scheduled (it takes a new
// sequence number). A node re-arms its timer on nearly every step, often for a time far ahead:
// left in the queue, each superseded timer would stay until its time came (thousands at once,
// each a heap level deeper and a pop to discard).

#include <cstdint>
#include <optional>
#include <vector>

namespace samsa::sim {

struct Event {
  static constexpr uint32_t kNoKey = UINT32_MAX;

  int64_t time_ns = 0;
  uint64_t seq = 0;
  uint32_t kind = 0;
  int32_t node = -1;  // a node index, or -1 for simulation-wide events
  uint64_t arg0 = 0;
  uint64_t arg1 = 0;
  uint32_t key = kNoKey;  // ScheduleKeyed's key
};

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void HandleEvent(const Event& event) = 0;
};

class Kernel {
 public:
  Kernel() = default;
  explicit Kernel(EventHandler* handler) : handler_(handler) {}
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  void set_handler(EventHandler* handler) { handler_ = handler; }

  // Queues an event at max(time_ns, now_ns()); returns its sequence number.
  uint64_t Schedule(int64_t time_ns, uint32_t kind, int32_t node = -1, uint64_t arg0 = 0,
                    uint64_t arg1 = 0);
  uint64_t ScheduleAfter(int64_t delay_ns, uint32_t kind, int32_t node = -1, uint64_t arg0 = 0,
                         uint64_t arg1 = 0) {
    return Schedule(now_ns_ + delay_ns, kind, node, arg0, arg1);
  }
  // Like Schedule, replacing the pending event with the same key (a small number), if any.
  uint64_t ScheduleKeyed(uint32_t key, int64_t time_ns, uint32_t kind, int32_t node = -1,
                         uint64_t arg0 = 0, uint64_t arg1 = 0);

  // Runs exactly one event (advancing the clock to it); false when the queue is empty.
  bool Step();
  // Runs every event due at or before t, then sets the clock to t (if t is later). Returns the
  // number of events run.
  uint64_t RunUntil(int64_t t_ns);
  uint64_t RunFor(int64_t duration_ns) { return RunUntil(now_ns_ + duration_ns); }
  // Runs until the queue is empty or max_events ran.
  uint64_t RunAll(uint64_t max_events = UINT64_MAX);

  int64_t now_ns() const { return now_ns_; }
  size_t pending() const { return heap_.size(); }
  uint64_t events_run() const { return events_run_; }
  // The pending events, in heap order (not sorted): for observers that list what is in flight.
  const std::vector<Event>& pending_events() const { return heap_; }
  std::optional<int64_t> next_time_ns() const {
    if (heap_.empty()) return std::nullopt;
    return heap_.front().time_ns;
  }

 private:
  // Min-heap on (time_ns, seq), hand-rolled so that the comparison inlines.
  static bool Before(const Event& a, const Event& b) {
    return a.time_ns < b.time_ns || (a.time_ns == b.time_ns && a.seq < b.seq);
  }
  Event Pop();
  // Puts e at heap index i, keeping key_pos_ current.
  void Place(size_t i, const Event& e) {
    heap_[i] = e;
    if (e.key != Event::kNoKey) key_pos_[e.key] = i;
  }
  // Moves e, to be placed at index i, up or down to its place.
  void SiftUp(size_t i, const Event& e);
  void SiftDown(size_t i, const Event& e);

  static constexpr size_t kNotQueued = SIZE_MAX;
  EventHandler* handler_ = nullptr;
  std::vector<Event> heap_;
  std::vector<size_t> key_pos_;  // by key: heap index of its pending event, or kNotQueued
  int64_t now_ns_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t events_run_ = 0;
};

}  // namespace samsa::sim

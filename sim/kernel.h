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

#include <cstdint>
#include <optional>
#include <vector>

namespace samsa::sim {

struct Event {
  int64_t time_ns = 0;
  uint64_t seq = 0;
  uint32_t kind = 0;
  int32_t node = -1;  // a node index, or -1 for simulation-wide events
  uint64_t arg0 = 0;
  uint64_t arg1 = 0;
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

  EventHandler* handler_ = nullptr;
  std::vector<Event> heap_;
  int64_t now_ns_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t events_run_ = 0;
};

}  // namespace samsa::sim

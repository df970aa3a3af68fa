// Simulator throughput: bare kernel events per second (target >= 5 M/s) and simulated frame
// deliveries per second through the network between two nodes (each delivery is a full Node::Step
// plus TakeReady, a trace record with a CRC of the frame, and a network latency draw).
#include <benchmark/benchmark.h>

#include "core/base/prng.h"
#include "sim/kernel.h"
#include "sim/simulation.h"

namespace samsa::sim {
namespace {

// Each event schedules its successor a pseudo-random delay later: a steady queue of `pending` events.
struct Respawner : EventHandler {
  Kernel* kernel = nullptr;
  uint64_t x = 1;
  void HandleEvent(const Event& e) override {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    kernel->ScheduleAfter(int64_t(x >> 54), e.kind, e.node, e.arg0 + 1);
  }
};

void BM_KernelEvents(benchmark::State& state) {
  Respawner r;
  Kernel k(&r);
  r.kernel = &k;
  for (int64_t i = 0; i < state.range(0); ++i) k.Schedule(i, 0, int32_t(i % 8));
  for (auto _ : state) k.RunAll(1'000'000);
  state.SetItemsProcessed(int64_t(state.iterations()) * 1'000'000);
}
BENCHMARK(BM_KernelEvents)->Arg(16)->Arg(1024)->Arg(65536)->Unit(benchmark::kMillisecond);

// Node 1 opens a connection to node 2 and keeps `window` frames of 100 bytes in flight; both echo.
class EchoNode final : public Node {
 public:
  EchoNode(NodeId id, int window) : id_(id), window_(window) {
    if (id_ == NodeId(1)) ready_.opens.push_back({ConnId(1), NodeId(2)});
  }
  NodeId id() const override { return id_; }
  void Step(const Input& in) override {
    if (auto* o = std::get_if<ConnOpened>(&in.event); o && o->outbound) {
      for (int i = 0; i < window_; ++i) ready_.frames.push_back({o->conn, Bytes(100, uint8_t(i))});
    } else if (auto* f = std::get_if<FrameArrived>(&in.event)) {
      ready_.frames.push_back({f->conn, f->frame});
    }
  }
  Ready TakeReady() override {
    Ready r = std::move(ready_);
    ready_ = Ready{};
    return r;
  }

 private:
  NodeId id_;
  int window_;
  Ready ready_;
};

void BM_FrameDeliveries(benchmark::State& state) {
  SimOptions so;
  so.keep_trace_records = false;
  Simulation sim(so);
  int window = int(state.range(0));
  for (int i = 2; i >= 1; --i)  // node 2 first: node 1 connects to it as it starts
    sim.AddNode(NodeId(i), [window](NodeId id, Disk&, uint64_t) { return std::make_unique<EchoNode>(id, window); });
  sim.RunFor(10'000'000);
  uint64_t before = sim.stats().frames_delivered;
  for (auto _ : state) sim.RunFor(100'000'000);  // 100 ms of simulated time
  state.SetItemsProcessed(int64_t(sim.stats().frames_delivered - before));
  state.counters["trace_hash_low"] = double(sim.trace().hash() & 0xffff);
}
BENCHMARK(BM_FrameDeliveries)->Arg(1)->Arg(64)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace samsa::sim

#pragma once
// ProbeNode: a test node that records every input it gets (into a log that outlives the node, so a
// crash does not erase the evidence) and emits whatever effects the test queues.

#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "core/base/node.h"
#include "sim/simulation.h"

namespace samsa::sim::testing {

struct ProbeEvent {
  int64_t now_ns;
  std::string kind;  // open, closed, frame, timer, sync
  uint64_t conn = 0;
  NodeId peer = kNoNode;
  bool outbound = false;
  std::string data;  // frame bytes
  uint64_t sync = 0;
  bool ok = true;
};

struct ProbeLog {
  std::vector<ProbeEvent> events;
  int starts = 0;
  std::vector<ProbeEvent> Of(std::string_view kind) const {
    std::vector<ProbeEvent> out;
    for (const auto& e : events)
      if (e.kind == kind) out.push_back(e);
    return out;
  }
};

class ProbeNode final : public Node {
 public:
  ProbeNode(NodeId id, Disk& disk, std::shared_ptr<ProbeLog> log) : id_(id), disk_(disk), log_(std::move(log)) {
    ++log_->starts;
  }
  NodeId id() const override { return id_; }
  void Step(const Input& in) override {
    ProbeEvent e;
    e.now_ns = in.now_ns;
    if (auto* o = std::get_if<ConnOpened>(&in.event)) {
      e.kind = "open", e.conn = o->conn.value(), e.peer = o->peer, e.outbound = o->outbound;
    } else if (auto* c = std::get_if<ConnClosed>(&in.event)) {
      e.kind = "closed", e.conn = c->conn.value();
    } else if (auto* f = std::get_if<FrameArrived>(&in.event)) {
      e.kind = "frame", e.conn = f->conn.value(), e.data = std::string(AsString(f->frame));
      if (echo_) Send(f->conn, e.data);
    } else if (std::get_if<TimerFired>(&in.event)) {
      e.kind = "timer";
    } else if (auto* s = std::get_if<SyncDone>(&in.event)) {
      e.kind = "sync", e.sync = s->sync.value(), e.ok = s->ok;
    }
    log_->events.push_back(std::move(e));
  }
  Ready TakeReady() override {
    Ready r = std::move(ready_);
    ready_ = Ready{};
    return r;
  }

  void Open(uint64_t conn, NodeId peer) { ready_.opens.push_back({ConnId(conn), peer}); }
  void Send(ConnId conn, std::string_view data) { ready_.frames.push_back({conn, ToBytes(data)}); }
  void Send(uint64_t conn, std::string_view data) { Send(ConnId(conn), data); }
  void Close(uint64_t conn) { ready_.closes.push_back(ConnId(conn)); }
  void WakeAt(int64_t t) { ready_.wake_at_ns = t; }
  void set_echo(bool echo) { echo_ = echo; }
  Disk& disk() { return disk_; }

 private:
  NodeId id_;
  Disk& disk_;
  std::shared_ptr<ProbeLog> log_;
  Ready ready_;
  bool echo_ = false;
};

inline NodeFactory ProbeFactory(std::shared_ptr<ProbeLog> log) {
  return [log](NodeId id, Disk& disk, uint64_t) { return std::make_unique<ProbeNode>(id, disk, log); };
}

inline ProbeNode& Probe(Simulation& sim, NodeId id) { return *static_cast<ProbeNode*>(sim.node(id)); }

// A simulation with `n` probe nodes 1..n; logs[i] belongs to node i+1.
struct ProbeCluster {
  explicit ProbeCluster(int n, SimOptions options = {}) : sim(options) {
    for (int i = 1; i <= n; ++i) {
      logs.push_back(std::make_shared<ProbeLog>());
      sim.AddNode(NodeId(i), ProbeFactory(logs.back()));
    }
  }
  ProbeNode& P(int id) { return Probe(sim, NodeId(id)); }
  ProbeLog& L(int id) { return *logs[size_t(id - 1)]; }
  // Node a opens conn `conn` to b and runs until both ends saw ConnOpened; returns b's ConnId.
  uint64_t Connect(int a, uint64_t conn, int b) {
    P(a).Open(conn, NodeId(b));
    sim.Drain(NodeId(a));
    sim.RunFor(50'000'000);
    auto opens = L(b).Of("open");
    return opens.empty() ? 0 : opens.back().conn;
  }
  Simulation sim;
  std::vector<std::shared_ptr<ProbeLog>> logs;
};

}  // namespace samsa::sim::testing

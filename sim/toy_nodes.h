#pragma once
// Toy nodes for exercising the simulator before the broker exists, plus the demo that
// `samsa-sim demo` runs and the checker that judges it.
//
// PingNode: every node keeps one outbound connection to each peer and sends "ping <from> <epoch>
// <seq>" on it every ping_interval_ns. A node receiving a ping appends "<from>:<epoch>:<seq>\n" to
// log/data, requests a sync, and only when the sync completed (and the log's directory entries are
// durable) answers "pong <from> <epoch> <seq>" on the connection the ping came on. A pong is thus
// a promise: "this entry survives any crash of mine". The epoch is drawn from the node's seed, so
// entries of different incarnations never collide.
//   Connection states per peer: Idle --OpenConn--> Connecting --ConnOpened--> Connected;
//   Connecting/Connected --ConnClosed--> Idle (reconnect after reconnect_ns).
//   Recovery (construction): read log/data, drop a torn last line (truncate to the last '\n'),
//   request syncs of "" and "log" (the names), and wake at once.
// broken = true makes the node answer before its sync completes: the bug the checker must find.
//
// DurabilityChecker watches pongs (frame observer) and, at the end, crashes every node and reads
// the disks: every acknowledged entry must be present (safety); and after the heal it expects
// every pair of nodes to have exchanged a pong again (liveness).

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/base/disk.h"
#include "core/base/node.h"
#include "sim/nemesis.h"
#include "sim/simulation.h"

namespace samsa::sim {

class PingNode final : public Node {
 public:
  struct Options {
    std::vector<NodeId> peers;
    int64_t ping_interval_ns = 10'000'000;  // 10 ms
    int64_t reconnect_ns = 20'000'000;      // 20 ms
    size_t max_pending_acks = 10'000;       // pings awaiting a sync; beyond, pings are ignored
    bool broken = false;
  };
  static constexpr std::string_view kLogDir = "log";
  static constexpr std::string_view kLogFile = "log/data";

  PingNode(NodeId id, Disk& disk, uint64_t seed, Options options);

  NodeId id() const override { return id_; }
  void Step(const Input& input) override;
  Ready TakeReady() override;

  // Entries recovered from disk plus those appended since.
  const std::set<std::string>& stored() const { return stored_; }
  uint64_t epoch() const { return epoch_; }

  // Parses log/data content: whole lines only.
  static std::vector<std::string> ParseLog(std::string_view content, size_t* valid_bytes);

 private:
  enum class PeerState { kIdle, kConnecting, kConnected };
  struct Peer {
    PeerState state = PeerState::kIdle;
    ConnId conn;
    int64_t retry_at_ns = 0;
    int64_t next_ping_ns = 0;
  };
  struct PendingAck {
    ConnId conn;
    std::string pong;
  };

  void Recover();
  void OnTimer(int64_t now_ns);
  void OnFrame(ConnId conn, ByteView frame);
  void OnSync(SyncId id, bool ok);
  void Send(ConnId conn, std::string text);
  void RequestDirSyncs();

  NodeId id_;
  Disk& disk_;
  Options options_;
  uint64_t epoch_;
  uint64_t next_seq_ = 1;
  uint64_t next_conn_ = 1;
  int64_t now_ns_ = 0;
  std::map<NodeId, Peer> peers_;
  std::map<uint64_t, NodeId> conn_peer_;  // outbound ConnId -> peer
  std::set<uint64_t> inbound_;
  std::set<std::string> stored_;
  std::map<uint64_t, std::vector<PendingAck>> pending_;  // SyncId -> acks waiting for it
  std::set<uint64_t> dir_syncs_;
  int dir_syncs_ok_ = 0;
  bool names_durable_ = false;
  Ready ready_;
};

// crash, pause, partition, one-way, clog, latency, reset, clock-drift, slow-disk, disk-full, disk-errors.
std::vector<FaultKind> DefaultDemoFaultKinds();

struct DemoOptions {
  uint64_t seed = 1;
  int nodes = 3;
  int64_t duration_ms = 3000;
  bool broken = false;
  bool keep_trace_records = false;
  // Fault kinds for the nemesis; empty = none. Defaults exclude bit flips and clock steps: toy
  // nodes keep no checksums and ping on a local clock, so those would be "violations" by design.
  std::vector<FaultKind> kinds = DefaultDemoFaultKinds();
  int64_t fault_interval_ms = 150;
};

struct DemoResult {
  uint64_t seed = 0;
  uint64_t trace_hash = 0;
  uint64_t events = 0;
  uint64_t trace_records = 0;
  SimStats stats;
  uint64_t acks = 0;
  uint64_t faults = 0;
  std::vector<std::string> violations;  // empty = the run passed
  std::string trace_text;               // when keep_trace_records
};

class DurabilityChecker {
 public:
  // Installs the frame observer on sim.
  explicit DurabilityChecker(Simulation& sim, int64_t liveness_from_ns);
  // Crashes every node, reads each disk, and returns the violations found.
  std::vector<std::string> Finish();
  uint64_t acks() const { return acks_; }

 private:
  Simulation& sim_;
  int64_t liveness_from_ns_;
  uint64_t acks_ = 0;
  std::map<NodeId, std::set<std::string>> acked_;    // acker -> entries it promised to keep
  std::set<std::pair<NodeId, NodeId>> live_pairs_;  // (pinger, acker) pongs after liveness_from
};

// Runs the toy cluster under a random nemesis; a pure function of the options.
DemoResult RunDemo(const DemoOptions& options);

}  // namespace samsa::sim

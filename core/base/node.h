#pragma once
// The node seam: every node (broker, controller, simulated client) is a deterministic state
// machine driven by inputs and drained of effects, like etcd/raft's RawNode.
//
//   node.Step(input);            // one event, carrying the current time in integer nanoseconds
//   Ready r = node.TakeReady();  // frames to send, connections to open or close, the next time
//                                // the node wants a TimerFired input, and whether it exited
//
// Nothing in a node does I/O, reads a clock or draws unseeded randomness; its runtime (today the
// simulator; net/ has the POSIX disk of a real runtime, not yet its event loop) is the only
// caller, and a node cannot tell which one drives it.
// Ready carries no disk work: page-cache writes go through the Disk seam (core/base/disk.h)
// synchronously, in Step (or the node's constructor), and syncs are requested there too:
// Disk::RequestSync hands back a SyncId at once, and the node learns the outcome later, from a
// SyncDone{id, ok} input. The simulator takes the syncs a node requested after its construction
// and after each of its steps, and completes them after a simulated latency, in request order
// (sim/sim_disk.h); PosixDisk (net/) runs the fsync inside RequestSync and queues the completion
// for its runtime to deliver.
//
// Lives in core/base so that every kind of node (core/broker's BrokerNode, core/client's
// clients, the simulator's toy nodes) implements it without including one another.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/ids.h"

namespace samsa {

// Inputs.
struct ConnOpened {
  ConnId conn;
  NodeId peer = kNoNode;  // kNoNode for an accepted client connection
  bool outbound = false;  // true when this node asked for the connection (OpenConn)
};
struct ConnClosed {
  ConnId conn;  // reset or closed by the peer, or failed to connect
};
struct FrameArrived {
  ConnId conn;
  Bytes frame;  // one Kafka frame, without its 4-byte size prefix
};
struct TimerFired {};
struct SyncDone {
  SyncId sync;
  bool ok = true;  // false when the sync failed (the data is not durable)
};

// The operator asks the process to stop (SIGTERM): a broker shuts down in a controlled way (the
// controller moves its leaderships away first) and then exits; other nodes exit at once.
struct ShutdownRequested {};

struct Input {
  int64_t now_ns = 0;
  std::variant<ConnOpened, ConnClosed, FrameArrived, TimerFired, SyncDone, ShutdownRequested> event;
};

// Effects.
struct OutFrame {
  ConnId conn;
  Bytes frame;  // without the size prefix; the transport adds it
};
struct OpenConn {
  ConnId conn;   // chosen by the node; the transport reports ConnOpened/ConnClosed for it
  NodeId peer;   // a node of the cluster (its address comes from configuration)
};

struct Ready {
  std::vector<OutFrame> frames;
  std::vector<OpenConn> opens;
  std::vector<ConnId> closes;
  std::optional<int64_t> wake_at_ns;  // deliver a TimerFired at or after this time
  // The node has stopped for good (a fatal error, e.g. its log directory failed): the runtime
  // ends the process. The page cache survives, as when a process exits; a supervisor (or an
  // operator) may start it again.
  bool exited = false;

  bool empty() const { return frames.empty() && opens.empty() && closes.empty() && !wake_at_ns && !exited; }
};

class Node {
 public:
  virtual ~Node() = default;
  virtual NodeId id() const = 0;
  virtual void Step(const Input& input) = 0;
  virtual Ready TakeReady() = 0;
};

}  // namespace samsa

#pragma once
// Simulation: hosts nodes (anything implementing the Node seam of core/base/node.h) on one
// Kernel, with a simulated Network and one SimDisk per node, and records every delivered event
// in a Trace.
//
// Driving a node: an input is delivered with node->Step(Input{local now, event}); the simulator
// then drains node->TakeReady() and applies it: OpenConn -> connection set-up over the network,
// OutFrame -> a frame in flight, closes -> graceful close (the peer sees ConnClosed after the
// frames already sent), wake_at_ns -> the node's single timer (only the latest request counts;
// a Ready without wake_at_ns leaves the armed timer alone), and the syncs the node requested on
// its disk -> SyncDone inputs after the disk's latency. Right after a node is created (start or
// restart) the simulator calls TakeReady() once, so a node that wants to act at start asks for a
// wake-up (e.g. wake_at_ns = 0).
//
// Connections (TCP-like): ordered, carrying exactly the frame bytes. Set-up takes one latency to
// the acceptor (ConnOpened{outbound=false, peer=initiator or kNoNode for a client}) and one back
// (ConnOpened{outbound=true}); it fails with ConnClosed when the link is cut in either direction
// (after connect_fail_ns) or the peer is down (after one round trip). A frame lost to a one-way cut
// stalls that direction (no later frame is delivered past the gap, as with TCP) and the connection
// is reset stall_reset_ns later; the other direction keeps working until then. A frame is delivered at
// max(network delivery time, previous delivery on that connection and direction), so order holds
// under jitter and clogs. Accepted connections get ConnIds with the top bit set, so they never
// collide with the ids a node picks for its own OpenConn.
//
// Process states per node:   Up --Crash--> Down --Restart--> Up;  Up --Pause--> Paused --Resume--> Up
//   Crash: the node object is destroyed (memory gone), its connections are reset (peers get
//          ConnClosed after reset_notice_ns, frames in flight are dropped), its timer and pending
//          syncs are forgotten, and its disk crashes (unsynced data lost, tails possibly torn;
//          with SimOptions::disk_writeback_ns, what was written before the last writeback tick
//          survives).
//   Restart: the factory builds a new node over the same disk (recovery is the node's job).
//   Pause: like SIGSTOP: events for the node are held, in order, and delivered at Resume (so its
//          timers fire late); its connections stay open.
// Clocks: a node's local time is offset + t + t * drift_ppm / 10^6 (integer math) for virtual
// time t. Timers are requested in local time and converted back. StepClock moves the offset
// (backwards too: a stepped wall clock is not monotonic).
//
// Determinism: no floating point, ordered containers only, no pointer values in outputs; random
// streams: Prng(seed).Split("network"), Split("disk/<id>"), Split("node/<id>") (node seeds, per
// incarnation), Split("sim") (reset notice jitter), Split("nemesis") (fault schedules).

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/base/node.h"
#include "core/base/prng.h"
#include "sim/kernel.h"
#include "sim/network.h"
#include "sim/sim_disk.h"
#include "sim/targets.h"
#include "sim/trace.h"

namespace samsa::sim {

using NodeFactory = std::function<std::unique_ptr<Node>(NodeId, Disk&, uint64_t seed)>;

struct SimOptions {
  uint64_t seed = 1;
  LinkSpec default_link;              // links added automatically between every pair
  bool auto_mesh = true;              // AddNode links the new node to every existing node
  int64_t connect_fail_ns = 1'000'000;   // connect attempt over a cut link fails after this
  int64_t reset_notice_ns = 1'000'000;   // a peer learns of a reset after this (+ up to 10% jitter)
  // A frame lost to a one-way cut stalls its direction (later frames are not delivered either:
  // TCP never delivers past a gap) and the connection is reset this long after the loss, like a
  // TCP user timeout.
  int64_t stall_reset_ns = 200'000'000;
  bool keep_trace_records = true;
  // OS writeback of every node's disk (SimDisk::set_writeback): at every multiple of this much
  // simulated time, everything written before becomes durable. 0 = off (the strict model: only
  // syncs make data durable). Scenarios default to 5 s (`disk: { writeback: 5s }`).
  int64_t disk_writeback_ns = 0;
  // Bound on frames in flight plus held events: a runaway node trips an assert instead of
  // eating memory.
  uint64_t max_in_flight = 10'000'000;
};

struct SimStats {
  uint64_t frames_sent = 0;
  uint64_t frames_delivered = 0;
  uint64_t frames_dropped = 0;
  uint64_t timers_fired = 0;
  uint64_t syncs_done = 0;
  uint64_t conns_opened = 0;
  uint64_t conns_closed = 0;
  uint64_t crashes = 0;
  uint64_t restarts = 0;
  uint64_t pauses = 0;
};

class Simulation final : private EventHandler {
 public:
  explicit Simulation(SimOptions options);
  ~Simulation() override;
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Adds a node and starts it at the current time. Clients are nodes too (is_client only changes
  // what the acceptor sees as peer, and which nodes the nemesis targets).
  void AddNode(NodeId id, NodeFactory factory, bool is_client = false);

  // Running.
  uint64_t RunUntil(int64_t t_ns) { return kernel_.RunUntil(t_ns); }
  uint64_t RunFor(int64_t duration_ns) { return kernel_.RunFor(duration_ns); }
  bool Step() { return kernel_.Step(); }
  int64_t now_ns() const { return kernel_.now_ns(); }

  // Applies node->TakeReady() now, for drivers that changed a node from outside its inputs (tests,
  // commands injected by hand from a GUI). No-op while the node is down.
  void Drain(NodeId id) {
    Apply(Index(id));
    Observe(Index(id), NodeChange::kStepped);
  }

  // Scripted actions: at virtual time t, run `action` (recorded in the trace as kind "action").
  void At(int64_t t_ns, std::string label, std::function<void(Simulation&)> action);

  // Processes.
  void Crash(NodeId id);
  // The process ends by itself (Ready::exited): like a crash, but the page cache survives.
  // HealAll (and a `restart`) start it again.
  void Exit(NodeId id);
  void Restart(NodeId id);
  // Sends the node a ShutdownRequested (SIGTERM) now, held like any input while it is paused;
  // a broker then shuts down in a controlled way and exits by itself.
  void RequestShutdown(NodeId id);
  void Pause(NodeId id);
  void Resume(NodeId id);
  void SetClockDrift(NodeId id, int64_t drift_ppm);  // > -10^6
  void StepClock(NodeId id, int64_t delta_ns);
  int64_t LocalNow(NodeId id) const;
  bool IsUp(NodeId id) const;
  bool IsPaused(NodeId id) const;
  // Whether the simulation has a node (broker, controller or client) with this id. The other
  // accessors taking an id require one it has.
  bool Has(NodeId id) const { return index_.count(id) != 0; }
  // The live node object, or nullptr while it is down.
  Node* node(NodeId id);
  SimDisk& disk(NodeId id);
  std::vector<NodeId> node_ids() const;     // sorted
  std::vector<NodeId> broker_ids() const;   // sorted, without clients

  // Network faults (trace kind "fault").
  void CutLink(NodeId a, NodeId b);              // both directions; resets a<->b connections
  void CutOneWay(NodeId from, NodeId to);        // frames from -> to dropped; no reset
  void ApplyGrudge(const Grudge& grudge);        // cuts; resets pairs cut both ways
  void UncutGrudge(const Grudge& grudge);
  void HealNetwork();
  void Clog(NodeId from, NodeId to, int64_t until_ns);
  void SetLinkLatency(NodeId from, NodeId to, int64_t extra_ns, int64_t jitter_ns);
  void ResetConnections(NodeId a, NodeId b);
  // Heal everything: network, paused nodes resumed, crashed nodes restarted, disk faults cleared,
  // clock drift zeroed (offsets stay).
  void HealAll();

  // Observation hooks (for checkers; they must not feed back into the run's random choices).
  void set_frame_observer(std::function<void(NodeId to, NodeId from, ByteView frame)> f) {
    frame_observer_ = std::move(f);
  }
  TargetProviders& providers() { return providers_; }
  // Called with the live node right after it starts (or restarts) and after each input it steps
  // (its Ready applied; Drain counts as a step), and with nullptr right after it crashes: for
  // checkers that look at every change of a node's state rather than at sampled instants.
  enum class NodeChange { kStarted, kStepped, kCrashed };
  void set_node_observer(std::function<void(NodeId, Node*, NodeChange)> f) { node_observer_ = std::move(f); }

  // Frames sent and not yet delivered, sorted by (delivery time, send order). `request` is true
  // for frames from a connection's initiator; `bytes` stays valid until the simulation runs on.
  struct FrameInFlight {
    NodeId from;
    NodeId to;
    bool request = true;
    int64_t deliver_at_ns = 0;
    ByteView bytes;
  };
  std::vector<FrameInFlight> FramesInFlight() const;

  Kernel& kernel() { return kernel_; }
  const Kernel& kernel() const { return kernel_; }
  Network& network() { return network_; }
  Trace& trace() { return trace_; }
  const SimStats& stats() const { return stats_; }
  uint64_t seed() const { return options_.seed; }
  const Prng& root_prng() const { return root_; }
  uint64_t open_connections() const { return conns_.size(); }

 private:
  // Crash (the page cache is lost) or exit (it survives) of a process.
  void Stop(NodeId id, bool crash);
  enum Kind : uint32_t { kFrame = 1, kAccept, kEstablished, kClosed, kTimer, kSync, kAction, kStallReset, kShutdown };

  struct Slot {
    NodeId id;
    bool is_client = false;
    NodeFactory factory;
    std::unique_ptr<Node> node;
    std::unique_ptr<SimDisk> disk;
    uint64_t incarnation = 0;
    bool up = false;
    bool paused = false;
    std::deque<Event> held;
    uint64_t timer_gen = 0;
    bool timer_armed = false;
    int64_t wake_local_ns = 0;
    int64_t drift_ppm = 0;
    int64_t clock_offset_ns = 0;
    uint64_t next_accept_conn = 0;
    std::map<uint64_t, uint64_t> conns;  // local ConnId -> connection id
  };
  struct Connection {
    int32_t end[2];                 // slot index: 0 = initiator, 1 = acceptor
    uint64_t local[2];              // ConnId value at each end
    bool open[2] = {true, true};    // this end has not closed it and has not been told it closed
    bool dead = false;              // reset: frames in flight are dropped
    bool stalled[2] = {false, false};  // a frame toward end[i] was lost: nothing more gets through
    bool established = false;       // the initiator saw ConnOpened
    bool accepted = false;          // the acceptor saw ConnOpened
    int64_t last_delivery_ns[2] = {0, 0};  // toward end[i]
  };
  struct Action {
    std::string label;
    std::function<void(Simulation&)> fn;
  };

  void HandleEvent(const Event& e) override;
  void Dispatch(Slot& s, const Event& e);
  void Deliver(int32_t idx, decltype(Input::event)&& ev, std::string_view kind, std::string_view summary);
  void Start(int32_t idx);
  void Apply(int32_t idx);
  void Open(int32_t idx, const OpenConn& open);
  void Send(int32_t idx, OutFrame&& frame);
  void Close(int32_t idx, ConnId conn);
  void ArmTimer(int32_t idx, int64_t wake_local_ns);
  void ScheduleSyncs(int32_t idx);
  void ResetConn(uint64_t cid);
  void EndSide(uint64_t cid, int side);  // this side no longer has the connection
  int64_t LocalAt(const Slot& s, int64_t t_ns) const;
  int64_t VirtualFor(const Slot& s, int64_t local_ns) const;
  int32_t Index(NodeId id) const;
  Slot& slot(NodeId id) { return slots_[size_t(Index(id))]; }
  const Slot& slot(NodeId id) const { return slots_[size_t(Index(id))]; }
  void Fault(std::string summary) { trace_.Record(now_ns(), -1, "fault", summary); }
  uint64_t StoreFrame(Bytes&& bytes);

  SimOptions options_;
  Prng root_;
  Prng sim_prng_;
  Kernel kernel_;
  Network network_;
  Trace trace_;
  SimStats stats_;
  std::vector<Slot> slots_;
  std::map<NodeId, int32_t> index_;
  std::map<uint64_t, Connection> conns_;
  uint64_t next_conn_id_ = 1;
  // Frames in flight: slab with a free list; events carry the slot index.
  std::vector<Bytes> frames_;
  std::vector<uint64_t> free_frames_;
  uint64_t in_flight_ = 0;
  std::map<uint64_t, Action> actions_;
  uint64_t next_action_ = 1;
  std::function<void(NodeId, NodeId, ByteView)> frame_observer_;
  std::function<void(NodeId, Node*, NodeChange)> node_observer_;
  void Observe(int32_t idx, NodeChange change) {
    Slot& s = slots_[size_t(idx)];
    if (node_observer_ && (s.node != nullptr || change == NodeChange::kCrashed)) node_observer_(s.id, s.node.get(), change);
  }
  TargetProviders providers_;
};

}  // namespace samsa::sim

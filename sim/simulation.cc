#include "sim/simulation.h"

#include <algorithm>
#include <iterator>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "core/base/assert.h"
#include "core/base/crc32c.h"

namespace samsa::sim {

namespace {
constexpr uint64_t kAcceptedConnBit = uint64_t(1) << 63;
constexpr int64_t kPpmScale = 1'000'000;
}  // namespace

Simulation::Simulation(SimOptions options)
    : options_(options),
      root_(options.seed),
      sim_prng_(root_.Split("sim")),
      kernel_(this),
      network_(root_.Split("network")),
      trace_(options.keep_trace_records) {}

Simulation::~Simulation() = default;

int32_t Simulation::Index(NodeId id) const {
  auto it = index_.find(id);
  SAMSA_ASSERT_MSG(it != index_.end(), "unknown node id");
  return it->second;
}

void Simulation::AddNode(NodeId id, NodeFactory factory, bool is_client) {
  SAMSA_ASSERT_MSG(!index_.count(id), "duplicate node id");
  int32_t idx = int32_t(slots_.size());
  slots_.emplace_back();
  Slot& s = slots_.back();
  s.id = id;
  s.is_client = is_client;
  s.factory = std::move(factory);
  s.disk = std::make_unique<SimDisk>(root_.Split(fmt::format("disk/{}", id.value())));
  if (options_.disk_writeback_ns > 0)
    s.disk->set_writeback(options_.disk_writeback_ns, [this] { return kernel_.now_ns(); });
  index_[id] = idx;
  network_.AddNode(id, is_client);
  if (options_.auto_mesh)
    for (const auto& other : slots_)
      if (other.id != id) network_.SetLink(id, other.id, options_.default_link);
  Start(idx);
}

void Simulation::Start(int32_t idx) {
  Slot& s = slots_[size_t(idx)];
  ++s.incarnation;
  s.up = true;
  s.paused = false;
  uint64_t node_seed = root_.Split(fmt::format("node/{}", s.id.value())).Split(s.incarnation).NextU64();
  s.node = s.factory(s.id, *s.disk, node_seed);
  SAMSA_ASSERT(s.node != nullptr);
  trace_.Record(now_ns(), s.id.value(), "start", fmt::format("incarnation={}", s.incarnation));
  Apply(idx);
  Observe(idx, NodeChange::kStarted);
}

std::vector<NodeId> Simulation::node_ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, _] : index_) out.push_back(id);
  return out;
}

std::vector<NodeId> Simulation::broker_ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, idx] : index_)
    if (!slots_[size_t(idx)].is_client) out.push_back(id);
  return out;
}

Node* Simulation::node(NodeId id) { return slot(id).node.get(); }
SimDisk& Simulation::disk(NodeId id) { return *slot(id).disk; }
bool Simulation::IsUp(NodeId id) const { return slot(id).up; }
bool Simulation::IsPaused(NodeId id) const { return slot(id).paused; }

// ---- clocks ----

int64_t Simulation::LocalAt(const Slot& s, int64_t t_ns) const {
  if (s.drift_ppm == 0) return s.clock_offset_ns + t_ns;  // the usual case: no 128-bit division
  __int128 drift = (__int128)t_ns * s.drift_ppm / kPpmScale;
  return s.clock_offset_ns + t_ns + int64_t(drift);
}

int64_t Simulation::LocalNow(NodeId id) const { return LocalAt(slot(id), now_ns()); }

int64_t Simulation::VirtualFor(const Slot& s, int64_t local_ns) const {
  // Smallest t >= now with LocalAt(t) >= local_ns. Start from the exact inverse, then fix rounding.
  if (s.drift_ppm == 0) return std::max(local_ns - s.clock_offset_ns, now_ns());
  __int128 num = (__int128)(local_ns - s.clock_offset_ns) * kPpmScale;
  int64_t t = int64_t(num / (kPpmScale + s.drift_ppm));
  while (LocalAt(s, t) < local_ns) ++t;
  while (LocalAt(s, t - 1) >= local_ns && t - 1 >= now_ns()) --t;
  return std::max(t, now_ns());
}

void Simulation::SetClockDrift(NodeId id, int64_t drift_ppm) {
  SAMSA_ASSERT(drift_ppm > -kPpmScale);
  Slot& s = slot(id);
  // Keep local time continuous at the moment the drift changes.
  int64_t local = LocalAt(s, now_ns());
  s.drift_ppm = drift_ppm;
  s.clock_offset_ns += local - LocalAt(s, now_ns());
  Fault(fmt::format("clock-drift node={} ppm={}", id.value(), drift_ppm));
  if (s.timer_armed) ArmTimer(Index(id), s.wake_local_ns);
}

void Simulation::StepClock(NodeId id, int64_t delta_ns) {
  Slot& s = slot(id);
  s.clock_offset_ns += delta_ns;
  Fault(fmt::format("clock-step node={} delta_ns={}", id.value(), delta_ns));
  if (s.timer_armed) ArmTimer(Index(id), s.wake_local_ns);
}

// ---- events ----

void Simulation::At(int64_t t_ns, std::string label, std::function<void(Simulation&)> action) {
  uint64_t id = next_action_++;
  actions_[id] = Action{std::move(label), std::move(action)};
  kernel_.Schedule(t_ns, kAction, -1, id);
}

void Simulation::HandleEvent(const Event& e) {
  if (e.kind == kAction) {
    auto it = actions_.find(e.arg0);
    SAMSA_ASSERT(it != actions_.end());
    Action a = std::move(it->second);
    actions_.erase(it);
    trace_.Record(now_ns(), -1, "action", a.label);
    a.fn(*this);
    return;
  }
  if (e.kind == kStallReset) {
    if (conns_.count(e.arg0)) {
      trace_.Record(now_ns(), -1, "fault", fmt::format("stall-reset conn#{}", e.arg0));
      ResetConn(e.arg0);
    }
    return;
  }
  Slot& s = slots_[size_t(e.node)];
  if (s.paused) {
    s.held.push_back(e);
    SAMSA_ASSERT_MSG(s.held.size() <= options_.max_in_flight, "too many events held for a paused node");
    return;
  }
  Dispatch(s, e);
}

void Simulation::Dispatch(Slot& s, const Event& e) {
  int32_t idx = e.node;
  switch (e.kind) {
    case kFrame: {
      Bytes bytes = std::move(frames_[e.arg1]);
      frames_[e.arg1] = Bytes();
      free_frames_.push_back(e.arg1);
      --in_flight_;
      auto it = conns_.find(e.arg0);
      int side = it == conns_.end() ? 0 : (it->second.end[1] == idx ? 1 : 0);
      if (it == conns_.end() || it->second.dead || !it->second.open[side] || !s.up) {
        ++stats_.frames_dropped;
        return;
      }
      ++stats_.frames_delivered;
      if (frame_observer_) frame_observer_(s.id, slots_[size_t(it->second.end[1 - side])].id, bytes);
      // Made for every frame delivered: formatted into a stack buffer, not a heap string, by a
      // format compiled ahead (no parsing of the format string per frame).
      fmt::memory_buffer summary;
      fmt::format_to(std::back_inserter(summary), FMT_COMPILE("conn={} len={} crc={:08x}"),
                     it->second.local[side], bytes.size(), Crc32c(bytes));
      Deliver(idx, FrameArrived{ConnId(it->second.local[side]), std::move(bytes)}, "frame",
              std::string_view(summary.data(), summary.size()));
      return;
    }
    case kAccept:
    case kEstablished: {
      int side = e.kind == kAccept ? 1 : 0;
      auto it = conns_.find(e.arg0);
      if (it == conns_.end() || it->second.dead || !it->second.open[side] || !s.up) return;
      Connection& c = it->second;
      if (side == 0) c.established = true;
      if (side == 1) c.accepted = true;
      ++stats_.conns_opened;
      const Slot& peer = slots_[size_t(c.end[1 - side])];
      NodeId peer_id = (side == 1 && peer.is_client) ? kNoNode : peer.id;
      Deliver(idx, ConnOpened{ConnId(c.local[side]), peer_id, side == 0}, "open",
              fmt::format("conn={} peer={} out={}", c.local[side], peer_id.value(), side == 0 ? 1 : 0));
      return;
    }
    case kClosed: {
      int side = int(e.arg1);
      auto it = conns_.find(e.arg0);
      if (it == conns_.end() || !it->second.open[side] || !s.up) return;
      uint64_t local = it->second.local[side];
      EndSide(e.arg0, side);
      ++stats_.conns_closed;
      Deliver(idx, ConnClosed{ConnId(local)}, "closed", fmt::format("conn={}", local));
      return;
    }
    case kTimer: {
      if (!s.up || e.arg0 != s.timer_gen || !s.timer_armed) return;
      s.timer_armed = false;
      ++stats_.timers_fired;
      Deliver(idx, TimerFired{}, "timer", "");
      return;
    }
    case kSync: {
      if (!s.up || e.arg1 != s.incarnation) return;
      bool ok = s.disk->DrawSyncFailure() == false;
      s.disk->FinishSync(SyncId(e.arg0), ok);
      ++stats_.syncs_done;
      Deliver(idx, SyncDone{SyncId(e.arg0), ok}, "sync", fmt::format("id={} ok={}", e.arg0, ok ? 1 : 0));
      return;
    }
    case kShutdown: {
      if (!s.up || e.arg0 != s.incarnation) return;
      Deliver(idx, ShutdownRequested{}, "shutdown", "");
      return;
    }
    default:
      SAMSA_ASSERT_MSG(false, "unknown event kind");
  }
}

void Simulation::Deliver(int32_t idx, decltype(Input::event)&& ev, std::string_view kind, std::string_view summary) {
  Slot& s = slots_[size_t(idx)];
  trace_.Record(now_ns(), s.id.value(), kind, summary);
  Input in;
  in.now_ns = LocalAt(s, now_ns());
  in.event = std::move(ev);
  s.node->Step(in);
  Apply(idx);
  Observe(idx, NodeChange::kStepped);
}

void Simulation::Apply(int32_t idx) {
  Slot& s = slots_[size_t(idx)];
  if (!s.up) return;
  Ready r = s.node->TakeReady();
  for (const auto& o : r.opens) Open(idx, o);
  for (auto& f : r.frames) Send(idx, std::move(f));
  for (ConnId c : r.closes) Close(idx, c);
  if (r.wake_at_ns) ArmTimer(idx, *r.wake_at_ns);
  ScheduleSyncs(idx);
  // The process ends right after this step (not inside it: the step's observers still run).
  if (r.exited) {
    NodeId id = s.id;
    At(now_ns(), "exit", [id](Simulation& sim) { sim.Exit(id); });
  }
}

void Simulation::ScheduleSyncs(int32_t idx) {
  Slot& s = slots_[size_t(idx)];
  for (SyncId id : s.disk->TakeRequestedSyncs())
    kernel_.Schedule(s.disk->SyncCompletionTime(now_ns()), kSync, idx, id.value(), s.incarnation);
}

void Simulation::ArmTimer(int32_t idx, int64_t wake_local_ns) {
  Slot& s = slots_[size_t(idx)];
  s.timer_armed = true;
  s.wake_local_ns = wake_local_ns;
  ++s.timer_gen;
  // One pending timer event per node: a re-arm replaces the last one (which could only have
  // been dropped as stale when its time came).
  kernel_.ScheduleKeyed(uint32_t(idx), VirtualFor(s, wake_local_ns), kTimer, idx, s.timer_gen);
}

uint64_t Simulation::StoreFrame(Bytes&& bytes) {
  ++in_flight_;
  SAMSA_ASSERT_MSG(in_flight_ <= options_.max_in_flight, "too many events held or in flight");
  if (!free_frames_.empty()) {
    uint64_t i = free_frames_.back();
    free_frames_.pop_back();
    frames_[i] = std::move(bytes);
    return i;
  }
  frames_.push_back(std::move(bytes));
  return frames_.size() - 1;
}

// ---- connections ----

void Simulation::Open(int32_t idx, const OpenConn& open) {
  Slot& s = slots_[size_t(idx)];
  SAMSA_ASSERT_MSG(!s.conns.count(open.conn.value()), "OpenConn reuses a live ConnId");
  SAMSA_ASSERT_MSG((open.conn.value() & kAcceptedConnBit) == 0, "node ConnIds must not use the top bit");
  uint64_t cid = next_conn_id_++;
  Connection c;
  c.end[0] = idx;
  c.local[0] = open.conn.value();
  s.conns[c.local[0]] = cid;
  auto peer_it = index_.find(open.peer);
  bool known = peer_it != index_.end() && open.peer != s.id;
  if (!known || !network_.CanConnect(s.id, open.peer)) {
    // No route: the connect attempt times out.
    c.end[1] = idx;
    c.local[1] = 0;
    c.open[1] = false;
    c.dead = true;
    conns_[cid] = c;
    kernel_.Schedule(now_ns() + options_.connect_fail_ns, kClosed, idx, cid, 0);
    return;
  }
  int32_t pidx = peer_it->second;
  Slot& p = slots_[size_t(pidx)];
  c.end[1] = pidx;
  auto there = network_.DeliveryTime(s.id, p.id, now_ns(), 0);
  if (!p.up) {
    // Refused: RST after a round trip.
    auto back = network_.DeliveryTime(p.id, s.id, *there, 0);
    c.local[1] = 0;
    c.open[1] = false;
    c.dead = true;
    conns_[cid] = c;
    kernel_.Schedule(*back, kClosed, idx, cid, 0);
    return;
  }
  c.local[1] = kAcceptedConnBit | ++p.next_accept_conn;
  p.conns[c.local[1]] = cid;
  auto back = network_.DeliveryTime(p.id, s.id, *there, 0);
  c.last_delivery_ns[1] = *there;
  c.last_delivery_ns[0] = *back;
  conns_[cid] = c;
  kernel_.Schedule(*there, kAccept, pidx, cid);
  kernel_.Schedule(*back, kEstablished, idx, cid);
}

std::vector<Simulation::FrameInFlight> Simulation::FramesInFlight() const {
  std::vector<const Event*> frames;
  for (const Event& e : kernel_.pending_events())
    if (e.kind == kFrame) frames.push_back(&e);
  std::sort(frames.begin(), frames.end(), [](const Event* a, const Event* b) {
    return a->time_ns < b->time_ns || (a->time_ns == b->time_ns && a->seq < b->seq);
  });
  std::vector<FrameInFlight> out;
  for (const Event* e : frames) {
    auto it = conns_.find(e->arg0);
    if (it == conns_.end() || it->second.dead) continue;  // dropped on arrival
    const Connection& c = it->second;
    const int to_side = c.end[1] == e->node ? 1 : 0;
    out.push_back(FrameInFlight{slots_[size_t(c.end[1 - to_side])].id, slots_[size_t(e->node)].id, to_side == 1,
                                e->time_ns, ByteView(frames_[e->arg1])});
  }
  return out;
}

void Simulation::Send(int32_t idx, OutFrame&& f) {
  Slot& s = slots_[size_t(idx)];
  ++stats_.frames_sent;
  auto lit = s.conns.find(f.conn.value());
  if (lit == s.conns.end()) {
    ++stats_.frames_dropped;  // unknown or already closed connection: the send fails
    return;
  }
  Connection& c = conns_.at(lit->second);
  int side = c.end[0] == idx && c.local[0] == f.conn.value() ? 0 : 1;
  int to = 1 - side;
  if (c.dead || !c.open[to] || c.stalled[to]) {
    ++stats_.frames_dropped;
    return;
  }
  const Slot& p = slots_[size_t(c.end[to])];
  auto at = network_.DeliveryTime(s.id, p.id, now_ns(), f.frame.size() + 4);  // + size prefix
  if (!at) {
    // Lost to a one-way cut: the direction stalls, and the connection times out later.
    ++stats_.frames_dropped;
    c.stalled[to] = true;
    kernel_.Schedule(now_ns() + options_.stall_reset_ns, kStallReset, -1, lit->second);
    return;
  }
  int64_t t = std::max(*at, c.last_delivery_ns[to]);
  c.last_delivery_ns[to] = t;
  kernel_.Schedule(t, kFrame, c.end[to], lit->second, StoreFrame(std::move(f.frame)));
}

void Simulation::Close(int32_t idx, ConnId conn) {
  Slot& s = slots_[size_t(idx)];
  auto lit = s.conns.find(conn.value());
  if (lit == s.conns.end()) return;
  uint64_t cid = lit->second;
  Connection& c = conns_.at(cid);
  int side = c.end[0] == idx && c.local[0] == conn.value() ? 0 : 1;
  int to = 1 - side;
  if (!c.dead && c.open[to]) {
    // FIN after the data already sent.
    const Slot& p = slots_[size_t(c.end[to])];
    int64_t t = network_.DeliveryTime(s.id, p.id, now_ns(), 0).value_or(now_ns() + options_.reset_notice_ns);
    t = std::max(t, c.last_delivery_ns[to]);
    c.last_delivery_ns[to] = t;
    kernel_.Schedule(t, kClosed, c.end[to], cid, uint64_t(to));
  }
  EndSide(cid, side);
}

void Simulation::EndSide(uint64_t cid, int side) {
  auto it = conns_.find(cid);
  if (it == conns_.end()) return;
  Connection& c = it->second;
  if (c.open[side]) {
    c.open[side] = false;
    slots_[size_t(c.end[side])].conns.erase(c.local[side]);
  }
  if (!c.open[0] && !c.open[1]) conns_.erase(it);
}

void Simulation::ResetConn(uint64_t cid) {
  auto it = conns_.find(cid);
  if (it == conns_.end()) return;
  it->second.dead = true;
  // An acceptor that never saw the connection open is not told it closed.
  if (it->second.open[1] && !it->second.accepted) EndSide(cid, 1);
  it = conns_.find(cid);
  if (it == conns_.end()) return;
  const Connection& c = it->second;
  for (int side = 0; side < 2; ++side) {
    if (!c.open[side]) continue;
    int64_t notice = options_.reset_notice_ns + int64_t(sim_prng_.Uniform(uint64_t(options_.reset_notice_ns / 10 + 1)));
    kernel_.Schedule(now_ns() + notice, kClosed, c.end[side], cid, uint64_t(side));
  }
}

void Simulation::ResetConnections(NodeId a, NodeId b) {
  Fault(fmt::format("reset {}<->{}", a.value(), b.value()));
  int32_t ia = Index(a), ib = Index(b);
  std::vector<uint64_t> victims;
  for (const auto& [cid, c] : conns_)
    if ((c.end[0] == ia && c.end[1] == ib) || (c.end[0] == ib && c.end[1] == ia)) victims.push_back(cid);
  for (uint64_t cid : victims) ResetConn(cid);
}

// ---- processes ----

void Simulation::Crash(NodeId id) { Stop(id, /*crash=*/true); }

void Simulation::Exit(NodeId id) { Stop(id, /*crash=*/false); }

void Simulation::Stop(NodeId id, bool crash) {
  int32_t idx = Index(id);
  Slot& s = slots_[size_t(idx)];
  if (!s.up) return;
  trace_.Record(now_ns(), id.value(), crash ? "crash" : "exit", fmt::format("incarnation={}", s.incarnation));
  if (crash) ++stats_.crashes;
  s.node.reset();
  s.up = false;
  s.paused = false;
  Observe(idx, NodeChange::kCrashed);
  for (const Event& e : s.held)
    if (e.kind == kFrame) {
      frames_[e.arg1] = Bytes();
      free_frames_.push_back(e.arg1);
      --in_flight_;
    }
  s.held.clear();
  s.timer_armed = false;
  ++s.timer_gen;
  // Reset every connection: the crashed side forgets at once, peers are told later.
  std::vector<std::pair<uint64_t, uint64_t>> mine(s.conns.begin(), s.conns.end());
  for (const auto& [local, cid] : mine) {
    const Connection& c = conns_.at(cid);
    int side = c.end[0] == idx && c.local[0] == local ? 0 : 1;
    EndSide(cid, side);
    ResetConn(cid);
  }
  if (crash) s.disk->Crash();
}

void Simulation::Restart(NodeId id) {
  int32_t idx = Index(id);
  if (slots_[size_t(idx)].up) return;
  ++stats_.restarts;
  Start(idx);
}

void Simulation::RequestShutdown(NodeId id) {
  int32_t idx = Index(id);
  if (!slots_[size_t(idx)].up) return;
  kernel_.Schedule(now_ns(), kShutdown, idx, slots_[size_t(idx)].incarnation);
}

void Simulation::Pause(NodeId id) {
  Slot& s = slot(id);
  if (!s.up || s.paused) return;
  ++stats_.pauses;
  s.paused = true;
  trace_.Record(now_ns(), id.value(), "pause", "");
}

void Simulation::Resume(NodeId id) {
  int32_t idx = Index(id);
  Slot& s = slots_[size_t(idx)];
  if (!s.paused) return;
  s.paused = false;
  trace_.Record(now_ns(), id.value(), "resume", fmt::format("held={}", s.held.size()));
  // Re-queue held events at now, in their original order (fresh sequence numbers keep it).
  std::deque<Event> held;
  held.swap(s.held);
  for (const Event& e : held) kernel_.Schedule(now_ns(), e.kind, e.node, e.arg0, e.arg1);
}

// ---- network faults ----

void Simulation::CutLink(NodeId a, NodeId b) {
  network_.CutBoth(a, b);
  Fault(fmt::format("cut {}<->{}", a.value(), b.value()));
  ResetConnections(a, b);
}

void Simulation::CutOneWay(NodeId from, NodeId to) {
  network_.Cut(from, to);
  Fault(fmt::format("cut {}->{}", from.value(), to.value()));
}

void Simulation::ApplyGrudge(const Grudge& grudge) {
  std::string desc;
  for (const auto& [a, b] : grudge) {
    network_.Cut(a, b);
    desc += fmt::format("{}->{},", a.value(), b.value());
  }
  Fault("partition " + desc);
  for (const auto& [a, b] : grudge)
    if (a < b && network_.fault(b, a).cut) ResetConnections(a, b);
}

void Simulation::UncutGrudge(const Grudge& grudge) {
  for (const auto& [a, b] : grudge) network_.Uncut(a, b);
  Fault(fmt::format("uncut {} links", grudge.size()));
}

void Simulation::HealNetwork() {
  network_.HealAll();
  Fault("heal-network");
}

void Simulation::Clog(NodeId from, NodeId to, int64_t until_ns) {
  network_.Clog(from, to, until_ns);
  Fault(fmt::format("clog {}->{} until={}", from.value(), to.value(), until_ns));
}

void Simulation::SetLinkLatency(NodeId from, NodeId to, int64_t extra_ns, int64_t jitter_ns) {
  network_.SetExtraLatency(from, to, extra_ns, jitter_ns);
  Fault(fmt::format("latency {}->{} extra_ns={} jitter_ns={}", from.value(), to.value(), extra_ns, jitter_ns));
}

void Simulation::HealAll() {
  Fault("heal-all");
  network_.HealAll();
  for (auto& [id, idx] : index_) {
    Slot& s = slots_[size_t(idx)];
    if (s.paused) Resume(id);
    if (!s.up) Restart(id);
    s.disk->ClearFaults();
    if (s.drift_ppm != 0) SetClockDrift(id, 0);
  }
}

}  // namespace samsa::sim

#include "sim/toy_nodes.h"

#include <fmt/core.h>

#include <algorithm>

namespace samsa::sim {

namespace {
std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}
}  // namespace

PingNode::PingNode(NodeId id, Disk& disk, uint64_t seed, Options options)
    : id_(id), disk_(disk), options_(std::move(options)), epoch_(seed & 0xffffffffULL) {
  for (NodeId p : options_.peers)
    if (p != id_) peers_[p] = Peer{};
  Recover();
  ready_.wake_at_ns = 0;  // act at once
}

std::vector<std::string> PingNode::ParseLog(std::string_view content, size_t* valid_bytes) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t nl = content.find('\n', start);
    if (nl == std::string_view::npos) break;
    out.emplace_back(content.substr(start, nl - start));
    start = nl + 1;
  }
  if (valid_bytes != nullptr) *valid_bytes = start;
  return out;
}

void PingNode::Recover() {
  (void)disk_.CreateDir(kLogDir);
  if (auto content = disk_.Read(kLogFile, 0, SIZE_MAX); content.ok()) {
    size_t valid = 0;
    for (auto& e : ParseLog(AsString(*content), &valid)) stored_.insert(std::move(e));
    if (valid < content->size()) (void)disk_.Truncate(kLogFile, valid);  // torn tail
  } else {
    (void)disk_.Append(kLogFile, ByteView());
  }
  RequestDirSyncs();
}

void PingNode::RequestDirSyncs() {
  dir_syncs_.clear();
  dir_syncs_ok_ = 0;
  dir_syncs_.insert(disk_.RequestSync("").value());
  dir_syncs_.insert(disk_.RequestSync(kLogDir).value());
}

void PingNode::Step(const Input& input) {
  now_ns_ = input.now_ns;
  if (const auto* o = std::get_if<ConnOpened>(&input.event)) {
    if (o->outbound) {
      auto it = conn_peer_.find(o->conn.value());
      if (it != conn_peer_.end()) peers_[it->second].state = PeerState::kConnected;
    } else {
      inbound_.insert(o->conn.value());
    }
  } else if (const auto* c = std::get_if<ConnClosed>(&input.event)) {
    inbound_.erase(c->conn.value());
    auto it = conn_peer_.find(c->conn.value());
    if (it != conn_peer_.end()) {
      Peer& p = peers_[it->second];
      p.state = PeerState::kIdle;
      p.retry_at_ns = now_ns_ + options_.reconnect_ns;
      conn_peer_.erase(it);
    }
  } else if (const auto* f = std::get_if<FrameArrived>(&input.event)) {
    OnFrame(f->conn, f->frame);
  } else if (const auto* s = std::get_if<SyncDone>(&input.event)) {
    OnSync(s->sync, s->ok);
  }
  OnTimer(now_ns_);  // every input is a chance to do due work
}

void PingNode::OnTimer(int64_t now_ns) {
  int64_t wake = INT64_MAX;
  for (auto& [peer, p] : peers_) {
    if (p.state == PeerState::kIdle && now_ns >= p.retry_at_ns) {
      p.conn = ConnId(next_conn_++);
      p.state = PeerState::kConnecting;
      conn_peer_[p.conn.value()] = peer;
      ready_.opens.push_back({p.conn, peer});
    }
    if (p.state == PeerState::kConnected && now_ns >= p.next_ping_ns) {
      Send(p.conn, fmt::format("ping {} {} {}", id_.value(), epoch_, next_seq_++));
      p.next_ping_ns = now_ns + options_.ping_interval_ns;
    }
    if (p.state == PeerState::kIdle) wake = std::min(wake, p.retry_at_ns);
    if (p.state == PeerState::kConnected) wake = std::min(wake, p.next_ping_ns);
  }
  if (wake != INT64_MAX) ready_.wake_at_ns = std::max(wake, now_ns);
}

void PingNode::OnFrame(ConnId conn, ByteView frame) {
  auto w = Words(AsString(frame));
  if (w.size() != 4) return;
  if (w[0] != "ping") return;  // pongs are for the checker; the pinger does not retry
  std::string entry = fmt::format("{}:{}:{}", w[1], w[2], w[3]);
  std::string pong = fmt::format("pong {} {} {}", w[1], w[2], w[3]);
  if (pending_.size() >= options_.max_pending_acks) return;
  std::string line = entry + "\n";
  if (!disk_.Append(kLogFile, AsBytes(line)).ok()) return;  // disk full or I/O error: no promise
  stored_.insert(entry);
  SyncId sync = disk_.RequestSync(kLogFile);
  if (options_.broken) {
    Send(conn, pong);  // BUG (deliberate): promises durability before the sync completed
    return;
  }
  pending_[sync.value()].push_back({conn, std::move(pong)});
}

void PingNode::OnSync(SyncId id, bool ok) {
  if (dir_syncs_.count(id.value())) {
    if (!ok) {
      RequestDirSyncs();  // retry until the names are durable
      return;
    }
    if (++dir_syncs_ok_ == int(dir_syncs_.size())) names_durable_ = true;
    return;
  }
  auto it = pending_.find(id.value());
  if (it == pending_.end()) return;
  auto acks = std::move(it->second);
  pending_.erase(it);
  if (!ok || !names_durable_) return;  // not durable: promise nothing
  for (auto& a : acks)
    if (inbound_.count(a.conn.value())) Send(a.conn, std::move(a.pong));
}

void PingNode::Send(ConnId conn, std::string text) { ready_.frames.push_back({conn, ToBytes(text)}); }

Ready PingNode::TakeReady() {
  Ready r = std::move(ready_);
  ready_ = Ready{};
  return r;
}

// ---- checker ----

DurabilityChecker::DurabilityChecker(Simulation& sim, int64_t liveness_from_ns)
    : sim_(sim), liveness_from_ns_(liveness_from_ns) {
  sim_.set_frame_observer([this](NodeId to, NodeId from, ByteView frame) {
    auto w = Words(AsString(frame));
    if (w.size() != 4 || w[0] != "pong") return;
    ++acks_;
    acked_[from].insert(fmt::format("{}:{}:{}", w[1], w[2], w[3]));
    if (sim_.now_ns() >= liveness_from_ns_) live_pairs_.insert({to, from});
  });
}

std::vector<std::string> DurabilityChecker::Finish() {
  std::vector<std::string> violations;
  auto ids = sim_.node_ids();
  for (NodeId a : ids)
    for (NodeId b : ids)
      if (a != b && !live_pairs_.count({a, b}))
        violations.push_back(fmt::format("liveness: node {} got no pong from node {} after the heal", a.value(), b.value()));
  for (NodeId n : ids) {
    sim_.Crash(n);  // strict: only what is durable counts
    auto content = sim_.disk(n).mem().Read(PingNode::kLogFile, 0, SIZE_MAX);
    std::set<std::string> kept;
    if (content.ok())
      for (auto& e : PingNode::ParseLog(AsString(*content), nullptr)) kept.insert(std::move(e));
    size_t lost = 0;
    std::string first;
    for (const auto& e : acked_[n])
      if (!kept.count(e)) {
        if (lost++ == 0) first = e;
      }
    if (lost > 0)
      violations.push_back(fmt::format("lost-write: node {} acknowledged {} entries it does not have (first: {})",
                                       n.value(), lost, first));
  }
  return violations;
}

std::vector<FaultKind> DefaultDemoFaultKinds() {
  return {FaultKind::kCrash,   FaultKind::kPause,      FaultKind::kPartition, FaultKind::kOneWay,
          FaultKind::kClog,    FaultKind::kLatency,    FaultKind::kReset,     FaultKind::kClockDrift,
          FaultKind::kSlowDisk, FaultKind::kDiskFull, FaultKind::kDiskErrors};
}

DemoResult RunDemo(const DemoOptions& o) {
  SimOptions so;
  so.seed = o.seed;
  so.keep_trace_records = o.keep_trace_records;
  Simulation sim(so);
  std::vector<NodeId> ids;
  for (int i = 1; i <= o.nodes; ++i) ids.emplace_back(i);
  PingNode::Options po;
  po.peers = ids;
  po.broken = o.broken;
  for (NodeId id : ids)
    sim.AddNode(id, [po](NodeId nid, Disk& disk, uint64_t seed) {
      return std::make_unique<PingNode>(nid, disk, seed, po);
    });

  const int64_t duration_ns = o.duration_ms * 1'000'000;
  const int64_t heal_at_ns = duration_ns * 6 / 10;
  const int64_t liveness_from_ns = heal_at_ns + (duration_ns - heal_at_ns) / 2;
  NemesisOptions no;
  no.kinds = o.kinds;
  no.start_ns = 50'000'000;
  no.interval_ns = o.fault_interval_ms * 1'000'000;
  no.until_ns = heal_at_ns;
  no.max_duration_ns = std::min<int64_t>(300'000'000, heal_at_ns / 3 + 1);
  no.min_duration_ns = std::min<int64_t>(10'000'000, no.max_duration_ns);
  auto schedule = RandomSchedule(no, sim.root_prng().Split("nemesis"));
  InstallSchedule(sim, schedule, heal_at_ns);

  DurabilityChecker checker(sim, liveness_from_ns);
  sim.RunUntil(duration_ns);

  DemoResult r;
  r.seed = o.seed;
  r.trace_hash = sim.trace().hash();
  r.trace_records = sim.trace().size();
  r.events = sim.kernel().events_run();
  r.stats = sim.stats();
  r.faults = schedule.size();
  if (o.keep_trace_records) r.trace_text = sim.trace().ToText();
  r.violations = checker.Finish();
  r.acks = checker.acks();
  return r;
}

}  // namespace samsa::sim

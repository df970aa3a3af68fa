#include "sim/samsa_cluster_factory.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <optional>

#include <fmt/format.h>

#include "core/base/assert.h"
#include "core/broker/broker.h"
#include "core/client/admin.h"
#include "core/client/consumer.h"
#include "core/client/producer.h"
#include "core/controller/raft.h"
#include "core/log/partition_log.h"
#include "core/record/record_batch.h"
#include "core/replication/replica_manager.h"

namespace samsa::sim {

namespace {

std::string Ms(int64_t ns) { return fmt::format("{}.{:03}s", ns / 1'000'000'000, (ns / 1'000'000) % 1000); }

std::vector<NodeId> BrokerBootstrap(const Scenario& scenario) {
  std::vector<NodeId> out;
  for (int32_t id = 1; id <= scenario.cluster.brokers; ++id) out.emplace_back(id);
  return out;
}

}  // namespace

void SamsaClusterFactory::Reset(const Scenario& scenario) {
  scenario_ = &scenario;
  history_ = std::make_shared<client::History>();
  consumer_ids_.clear();
  samples_.clear();
  active_controller_changes_.clear();
  lag_samples_.clear();
  runtime_ = RuntimeChecker();
  brokers_by_id_.clear();
  for (int32_t id : scenario.ServerIds())
    if (id >= 0 && size_t(id) >= brokers_by_id_.size()) brokers_by_id_.resize(size_t(id) + 1, nullptr);
  reported_metadata_offset_.assign(brokers_by_id_.size(), -1);
  active_by_id_.assign(brokers_by_id_.size(), false);
  sampled_metadata_offset_ = -1;
  pending_.clear();
  final_logs_.reset();
  replica_compare_.clear();
  checks_ = 0;
  client_kinds_.clear();
  known_partitions_.clear();
  known_brokers_.clear();
  controller_id_ = -1;
  controller_epoch_ = -1;
  announced_.clear();
}

NodeFactory SamsaClusterFactory::Broker(const Scenario& scenario, int32_t node_id) {
  std::vector<int32_t> servers = scenario.ServerIds();
  if (!servers.empty() && node_id == servers.front()) Reset(scenario);

  Properties props = scenario.cluster.config;
  bool is_broker = node_id <= scenario.cluster.brokers;
  bool is_voter = std::find(scenario.cluster.controllers.begin(), scenario.cluster.controllers.end(), node_id) !=
                  scenario.cluster.controllers.end();
  props["node.id"] = std::to_string(node_id);
  props["process.roles"] = is_broker && is_voter ? "broker,controller" : (is_voter ? "controller" : "broker");
  std::string voters;
  for (int32_t v : scenario.cluster.controllers)
    voters += (voters.empty() ? "" : ",") + fmt::format("{}@broker-{}:9093", v, v);
  props["controller.quorum.voters"] = voters;
  props["advertised.listeners"] = fmt::format("PLAINTEXT://broker-{}:9092", node_id);
  props["log.dirs"] = "data";
  props["cluster.id"] = "samsa-sim";
  Result<BrokerConfig> config = BrokerConfig::FromProperties(props);
  if (!config.ok()) return {};  // the runner reports "cannot build this"
  BrokerConfig c = *config;
  return [c](NodeId, Disk& disk, uint64_t seed) -> std::unique_ptr<Node> {
    return std::make_unique<BrokerNode>(c, disk, seed);
  };
}

NodeFactory SamsaClusterFactory::Producer(const Scenario& scenario, const ProducerSpec& spec, int32_t client_id) {
  client::ProducerConfig pc;
  pc.client.bootstrap = BrokerBootstrap(scenario);
  pc.client.client_id = "producer";
  // Topics come from the scenario (the admin client creates them); a client's Metadata request
  // must not race it by auto-creating a 1-partition topic (allow.auto.create.topics=false).
  pc.client.allow_auto_topic_creation = false;
  pc.client.request_timeout_ms = int32_t(spec.request_timeout_ms);
  pc.client.retry_backoff_ms = spec.retry_backoff_ms;
  pc.client.retry_backoff_max_ms = spec.retry_backoff_max_ms;
  pc.client.max_in_flight_requests_per_connection = spec.max_in_flight;
  pc.client.socket_connection_setup_timeout_ms = spec.setup_timeout_ms;
  pc.client.socket_connection_setup_timeout_max_ms = spec.setup_timeout_max_ms;
  pc.acks = int16_t(spec.acks);
  pc.linger_ms = spec.linger_ms;
  pc.batch_size = int32_t(spec.batch_size);
  pc.delivery_timeout_ms = int32_t(spec.delivery_timeout_ms);
  pc.retries = spec.retries;
  pc.compression = spec.compression;
  client::ProducerWorkload w;
  w.topic = spec.topic;
  w.rate_per_s = spec.rate_per_s;
  w.keys = spec.keys ? int32_t(*spec.keys) : 0;
  w.start_ns = spec.start_ns;
  w.stop_ns = spec.stop_ns < 0 ? INT64_MAX : spec.stop_ns;
  w.value_bytes = size_t(spec.value_bytes);
  auto history = history_;
  client_kinds_[client_id] = {"producer", spec.topic};
  return [pc, w, history](NodeId id, Disk&, uint64_t seed) -> std::unique_ptr<Node> {
    return std::make_unique<client::ProducerNode>(id, pc, w, history, seed);
  };
}

NodeFactory SamsaClusterFactory::Consumer(const Scenario& scenario, const ConsumerSpec& spec, int32_t client_id) {
  client::ConsumerConfig cc;
  cc.client.bootstrap = BrokerBootstrap(scenario);
  cc.client.client_id = "consumer";
  cc.client.allow_auto_topic_creation = false;
  cc.client.socket_connection_setup_timeout_ms = spec.setup_timeout_ms;
  cc.client.socket_connection_setup_timeout_max_ms = spec.setup_timeout_max_ms;
  cc.topic = spec.topic;
  cc.partitions = spec.partitions;
  if (spec.from == "earliest") {
    cc.start = client::StartFrom::kEarliest;
  } else if (spec.from == "latest") {
    cc.start = client::StartFrom::kLatest;
  } else {
    cc.start = client::StartFrom::kOffset;
    cc.start_offset = std::stoll(spec.from);
  }
  cc.start_ns = spec.start_ns;
  cc.stop_ns = spec.stop_ns < 0 ? INT64_MAX : spec.stop_ns;
  consumer_ids_.push_back({client_id, spec.topic});
  client_kinds_[client_id] = {"consumer", spec.topic};
  auto history = history_;
  return [cc, history](NodeId id, Disk&, uint64_t seed) -> std::unique_ptr<Node> {
    return std::make_unique<client::ConsumerNode>(id, cc, history, seed);
  };
}

void SamsaClusterFactory::InstallProviders(Simulation& sim) {
  // The admin client that creates the scenario's topics.
  std::vector<client::TopicToCreate> topics;
  for (const auto& t : scenario_->topics) {
    client::TopicToCreate c;
    c.name = t.name;
    c.partitions = t.partitions;
    c.replication_factor = int16_t(t.replication_factor);
    c.configs = t.config;
    topics.push_back(std::move(c));
  }
  client::ClientConfig ac;
  ac.bootstrap = BrokerBootstrap(*scenario_);
  ac.client_id = "admin";
  ac.request_timeout_ms = 5000;
  // The harness asks every 100 ms while brokers register (no exponential metadata backoff).
  ac.retry_backoff_max_ms = ac.retry_backoff_ms;
  // Topics go on every broker of the cluster, whatever the order of registrations.
  const size_t brokers = ac.bootstrap.size();
  auto history = history_;
  client_kinds_[kAdminId] = {"admin", ""};
  sim.AddNode(NodeId(kAdminId),
              [ac, topics, history, brokers](NodeId id, Disk&, uint64_t seed) -> std::unique_ptr<Node> {
                return std::make_unique<client::AdminNode>(id, ac, topics, history, seed, brokers);
              },
              /*is_client=*/true);

  sim.set_node_observer([this, &sim](NodeId id, Node* node, Simulation::NodeChange change) {
    OnNodeChange(sim, id, node, change);
  });
  for (NodeId id : sim.broker_ids())  // started before the observer was installed
    if (Node* node = sim.node(id)) OnNodeChange(sim, id, node, Simulation::NodeChange::kStarted);

  sim.providers().partition_leaders = [this, &sim]() {
    std::set<NodeId> leaders;
    if (BrokerNode* b = Freshest(sim))
      for (const auto& [name, topic] : b->image().topics())
        for (const auto& [_, p] : topic.partitions)
          if (p.leader >= 0) leaders.insert(NodeId(p.leader));
    return std::vector<NodeId>(leaders.begin(), leaders.end());
  };
  sim.providers().active_controller = [this, &sim]() {
    std::vector<NodeId> out;
    for (BrokerNode* b : LiveBrokers(sim))
      if (b->IsActiveController()) out.push_back(b->id());
    return out;
  };
}

std::vector<BrokerNode*> SamsaClusterFactory::LiveBrokers(Simulation& sim) {
  std::vector<BrokerNode*> out;
  for (NodeId id : sim.broker_ids()) {
    if (id.value() == kAdminId) continue;
    if (auto* b = dynamic_cast<BrokerNode*>(sim.node(id))) out.push_back(b);
  }
  return out;
}

BrokerNode* SamsaClusterFactory::Freshest(Simulation& sim) {
  BrokerNode* best = nullptr;
  for (BrokerNode* b : LiveBrokers(sim))
    if (best == nullptr || b->image().offset() > best->image().offset()) best = b;
  return best;
}

const PartitionInfo* SamsaClusterFactory::FreshestPartition(Simulation& sim, const PartitionRef& partition) {
  BrokerNode* b = Freshest(sim);
  return b == nullptr ? nullptr : b->image().FindPartition(partition.topic, partition.partition);
}

std::vector<NodeId> SamsaClusterFactory::LeaderOf(Simulation& sim, const PartitionRef& partition) {
  const PartitionInfo* p = FreshestPartition(sim, partition);
  if (p == nullptr || p->leader < 0) return {};
  return {NodeId(p->leader)};
}

std::vector<NodeId> SamsaClusterFactory::FollowersOf(Simulation& sim, const PartitionRef& partition) {
  const PartitionInfo* p = FreshestPartition(sim, partition);
  if (p == nullptr) return {};
  std::vector<NodeId> out;
  for (int32_t r : p->replicas)
    if (r != p->leader) out.emplace_back(r);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<NodeId> SamsaClusterFactory::IsrOf(Simulation& sim, const PartitionRef& partition) {
  const PartitionInfo* p = FreshestPartition(sim, partition);
  if (p == nullptr) return {};
  std::vector<NodeId> out;
  for (int32_t r : p->isr) out.emplace_back(r);
  std::sort(out.begin(), out.end());
  return out;
}

void SamsaClusterFactory::SampleLeadership(Simulation& sim, const MetadataImage& image, int64_t now) {
  using view::ClusterEvent;
  using view::EventCause;
  using view::EventKind;
  auto contains = [](const std::vector<int32_t>& v, int32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  // Brokers: registrations, fencing.
  for (const auto& [id, b] : image.brokers()) {
    auto old = known_brokers_.find(id);
    const bool new_epoch = old == known_brokers_.end() || old->second.epoch != b.epoch;
    if (new_epoch) {
      ClusterEvent e;
      e.kind = EventKind::kBrokerRegistered;
      e.nodes = {id};
      e.replica = id;
      e.epoch = int32_t(b.epoch);
      e.detail = fmt::format("broker {} registered with broker epoch {}", id, b.epoch);
      Emit(sim, std::move(e));
    }
    const bool was_fenced = old == known_brokers_.end() ? true : old->second.fenced;
    if (b.fenced != was_fenced && !(new_epoch && b.fenced)) {
      ClusterEvent e;
      e.kind = b.fenced ? EventKind::kBrokerFenced : EventKind::kBrokerUnfenced;
      e.nodes = {id};
      e.replica = id;
      e.epoch = int32_t(b.epoch);
      if (b.fenced) {
        // Fencing ends a controlled shutdown (the image clears the mark): look at the old state.
        const bool shut_down = b.shutting_down || (old != known_brokers_.end() && old->second.shutting_down);
        e.cause = shut_down ? EventCause::kBrokerShutdown : EventCause::kMissedHeartbeats;
        e.detail = shut_down ? fmt::format("broker {} completed its controlled shutdown and was fenced", id)
                             : fmt::format("broker {} was fenced: no heartbeat within broker.session.timeout.ms", id);
      } else {
        e.cause = EventCause::kRegistration;
        e.detail = fmt::format("broker {} caught up with the metadata and was unfenced", id);
      }
      Emit(sim, std::move(e));
    }
  }
  auto fenced = [&](int32_t id) {
    const BrokerInfo* b = image.FindBroker(id);
    return b == nullptr || b->fenced;
  };
  auto shutting_down = [&](int32_t id) {
    const BrokerInfo* b = image.FindBroker(id);
    return b != nullptr && b->shutting_down;
  };
  auto reregistered = [&](int32_t id) {
    const BrokerInfo* b = image.FindBroker(id);
    auto old = known_brokers_.find(id);
    return b != nullptr && old != known_brokers_.end() && old->second.epoch != b->epoch;
  };
  for (const auto& [name, topic] : image.topics()) {
    for (const auto& [index, p] : topic.partitions) {
      std::vector<int32_t> isr_sorted = p.isr;  // what the events carry, as views show it
      std::sort(isr_sorted.begin(), isr_sorted.end());
      auto& series = samples_[{name, index}];
      if (series.empty() || series.back().leader != p.leader || series.back().isr != p.isr ||
          series.back().leader_epoch != p.leader_epoch)
        series.push_back({now, p.leader, p.leader_epoch, p.isr});
      auto known = known_partitions_.find({name, index});
      if (known != known_partitions_.end() && known->second == p) continue;
      const PartitionInfo* o = known == known_partitions_.end() ? nullptr : &known->second;
      const bool leader_changed = o == nullptr || o->leader != p.leader || o->leader_epoch != p.leader_epoch;
      if (leader_changed) {
        ClusterEvent e;
        e.kind = EventKind::kLeaderElected;
        e.topic = name;
        e.partition = index;
        e.leader = p.leader;
        e.previous_leader = o ? o->leader : -1;
        e.epoch = p.leader_epoch;
        e.isr = isr_sorted;
        if (p.leader >= 0) e.nodes.push_back(p.leader);
        if (e.previous_leader >= 0 && e.previous_leader != p.leader) e.nodes.push_back(e.previous_leader);
        std::sort(e.nodes.begin(), e.nodes.end());
        const int32_t prev = e.previous_leader;
        if (o == nullptr) e.cause = EventCause::kCreated;
        else if (prev < 0) e.cause = EventCause::kLeaderless;
        else if (shutting_down(prev)) e.cause = EventCause::kLeaderShutdown;
        else if (fenced(prev)) e.cause = EventCause::kLeaderFenced;
        else if (!contains(p.isr, prev)) e.cause = EventCause::kLeaderLeftIsr;
        else if (o->replicas != p.replicas) e.cause = EventCause::kReassigned;
        else if (!p.replicas.empty() && p.leader == p.replicas.front()) e.cause = EventCause::kPreferred;
        e.unclean = o != nullptr && p.leader >= 0 && !contains(o->isr, p.leader) &&
                    !contains(o->eligible_leaders, p.leader) && o->leader != p.leader;
        const std::string who = p.leader >= 0 ? fmt::format("broker {} leads", p.leader) : "no leader";
        e.detail = fmt::format("{}-{}: {} (epoch {}){}{}", name, index, who, p.leader_epoch,
                               prev >= 0 && prev != p.leader ? fmt::format(", was broker {}", prev) : "",
                               e.unclean ? ", UNCLEAN: elected from outside the ISR" : "");
        Emit(sim, std::move(e));
      }
      if (o == nullptr) continue;
      auto isr_change = [&](EventKind kind, int32_t r, EventCause cause) {
        ClusterEvent e;
        e.kind = kind;
        e.topic = name;
        e.partition = index;
        e.replica = r;
        e.nodes = {r};
        e.leader = p.leader;
        e.epoch = p.partition_epoch;
        e.isr = isr_sorted;
        e.cause = cause;
        e.detail = fmt::format("{}-{}: broker {} {} the ISR", name, index, r,
                               kind == EventKind::kIsrShrink ? "left" : "joined");
        Emit(sim, std::move(e));
      };
      for (int32_t r : o->isr)
        if (!contains(p.isr, r))
          isr_change(EventKind::kIsrShrink, r,
                     shutting_down(r)                      ? EventCause::kBrokerShutdown
                     : fenced(r)                           ? EventCause::kBrokerFenced
                     : reregistered(r)                     ? EventCause::kRegistration
                     : leader_changed && p.isr.size() <= 1 ? EventCause::kElection
                                                           : EventCause::kLagged);
      for (int32_t r : p.isr)
        if (!contains(o->isr, r))
          isr_change(EventKind::kIsrExpand, r,
                     leader_changed && r == p.leader ? EventCause::kElection : EventCause::kCaughtUp);
    }
  }
  known_brokers_ = image.brokers();
  for (const auto& [name, topic] : image.topics())
    for (const auto& [index, p] : topic.partitions) known_partitions_[{name, index}] = p;
}

void SamsaClusterFactory::EmitViolation(Simulation& sim, const Violation& v) {
  if (!announced_.insert(v).second) return;
  SAMSA_ASSERT(scenario_ != nullptr);  // set by Reset, before any node exists to check
  Emit(sim, ViolationEvent(v, *scenario_));
}

void SamsaClusterFactory::OnNodeChange(Simulation& sim, NodeId id, Node* node, Simulation::NodeChange change) {
  const int32_t n = id.value();
  if (n < 0 || size_t(n) >= brokers_by_id_.size()) return;  // a client (or not a server)
  // The active controller at every instant (for controller_within): after each step, and gone
  // with a crash or an exit.
  auto note_active = [&](bool active) {
    if (active_by_id_[size_t(n)] == active) return;
    active_by_id_[size_t(n)] = active;
    int32_t lowest = -1;
    for (size_t i = 0; i < active_by_id_.size() && lowest < 0; ++i)
      if (active_by_id_[i]) lowest = int32_t(i);
    if (active_controller_changes_.empty() || active_controller_changes_.back().second != lowest)
      active_controller_changes_.push_back({sim.now_ns(), lowest});
  };
  if (change == Simulation::NodeChange::kCrashed) {
    brokers_by_id_[size_t(n)] = nullptr;
    note_active(false);
    runtime_.NodeDown(n);
    return;
  }
  if (change == Simulation::NodeChange::kStarted) {
    brokers_by_id_[size_t(n)] = dynamic_cast<BrokerNode*>(node);
    reported_metadata_offset_[size_t(n)] = -1;
  }
  BrokerNode* b = brokers_by_id_[size_t(n)];
  if (b == nullptr) return;
  note_active(b->IsActiveController());
  BrokerReport& r = report_;
  r.node = n;
  r.at_ns = sim.now_ns();
  r.metadata_offset = -1;
  r.undecodable_metadata.clear();
  const int64_t offset = b->replayed_metadata_offset();
  if (offset != reported_metadata_offset_[size_t(n)]) {
    // Records it could not decode since its last report (each one moved the offset).
    const auto& undecodable = b->undecodable_metadata();
    const int64_t reported = reported_metadata_offset_[size_t(n)];
    for (auto u = std::partition_point(undecodable.begin(), undecodable.end(),
                                       [reported](const auto& x) { return x.offset <= reported; });
         u != undecodable.end(); ++u)
      r.undecodable_metadata.emplace_back(u->offset, u->error);
    reported_metadata_offset_[size_t(n)] = offset;
    r.metadata_offset = offset;
    r.metadata_hash = b->metadata_chain_hash();
    if (offset > sampled_metadata_offset_) {
      sampled_metadata_offset_ = offset;
      SampleLeadership(sim, b->image(), r.at_ns);
    }
  }
  if (b->IsActiveController() && b->raft() != nullptr && b->raft()->Epoch() > controller_epoch_) {
    view::ClusterEvent e;
    e.kind = view::EventKind::kControllerChange;
    e.leader = n;
    e.previous_leader = controller_id_;
    e.epoch = b->raft()->Epoch();
    e.nodes = {n};
    if (controller_id_ >= 0 && controller_id_ != n) e.nodes.push_back(controller_id_), std::sort(e.nodes.begin(), e.nodes.end());
    e.detail = controller_id_ < 0 ? fmt::format("node {} is the active controller (Raft epoch {})", n, e.epoch)
                                  : fmt::format("node {} is the active controller (Raft epoch {}), was node {}", n,
                                                e.epoch, controller_id_);
    controller_id_ = n;
    controller_epoch_ = e.epoch;
    Emit(sim, std::move(e));
  }
  if (b->replicas() != nullptr) b->replicas()->TakeChangedPartitions(&r.partitions);
  else r.partitions.clear();
  if (r.metadata_offset < 0 && r.partitions.empty()) return;
  for (Violation& v : runtime_.Update(r)) {
    EmitViolation(sim, v);
    pending_.insert(std::move(v));
  }
}

void SamsaClusterFactory::Observe(Simulation& sim) {
  if (consumer_ids_.empty()) return;
  bool any_running = false;
  for (int32_t id : scenario_->ServerIds()) any_running |= ProcessOf(sim, NodeId(id)) != view::ProcessState::kDown;
  if (!any_running) return;
  const int64_t max_lag = MaxConsumerLag(sim);
#ifndef NDEBUG
  // The same figure from the cluster view itself (what MaxConsumerLag stands for).
  view::ClusterView v;
  Describe(sim, &v);
  int64_t from_view = 0;
  for (const view::ClientView& c : v.clients)
    if (c.kind == "consumer" && c.up)
      for (const view::ConsumerPositionView& p : c.positions) from_view = std::max(from_view, p.lag);
  SAMSA_ASSERT_MSG(max_lag == from_view, "MaxConsumerLag disagrees with the cluster view");
#endif
  lag_samples_.push_back({sim.now_ns(), max_lag});
}

int64_t SamsaClusterFactory::MaxConsumerLag(Simulation& sim) {
  // The lag of the cluster view (Describe), without building it: for each running consumer and
  // partition with a position, the high watermark of the partition's leader (by the freshest
  // metadata, when that broker is up and leads it) minus the position.
  BrokerNode* fresh = Freshest(sim);
  if (fresh == nullptr) return 0;
  const MetadataImage& image = fresh->image();
  int64_t max_lag = 0;
  for (const auto& [id, kind] : client_kinds_) {
    const auto* consumer = dynamic_cast<client::ConsumerNode*>(sim.node(NodeId(id)));
    if (consumer == nullptr) continue;
    const view::ClientView c = consumer->Describe();
    for (const view::ConsumerPositionView& pos : c.positions) {
      if (pos.position < 0) continue;
      const PartitionInfo* info = image.FindPartition(c.target, pos.partition);
      if (info == nullptr || info->leader < 0 || info->leader == kAdminId) continue;
      const auto* leader = dynamic_cast<BrokerNode*>(sim.node(NodeId(info->leader)));
      if (leader == nullptr || leader->replicas() == nullptr) continue;
      if (std::optional<int64_t> hw = leader->replicas()->LeaderHighWatermark(c.target, pos.partition))
        max_lag = std::max(max_lag, *hw - pos.position);
    }
  }
  return max_lag;
}

std::vector<Violation> SamsaClusterFactory::CheckRuntime(Simulation& sim) {
  ++checks_;
  Observe(sim);
  // The invariants were checked at every step (OnNodeChange): hand over what they found.
  std::vector<Violation> out(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
  pending_.clear();
  // Byte comparison of ISR replicas is the expensive check: every 5th check.
  if (checks_ % 5 == 0) {
    const size_t before = out.size();
    CheckReplicaBytes(sim, out);
    for (size_t i = before; i < out.size(); ++i) EmitViolation(sim, out[i]);
  }
  return out;
}

namespace {
// Whether both logs hold, at base offset `base`, the same batch with CRC `crc`.
bool SameBatchAt(const PartitionLog& a, const PartitionLog& b, int64_t base, uint32_t crc) {
  auto ra = a.Read(base, 1);
  auto rb = b.Read(base, 1);
  if (!ra.ok() || !rb.ok() || ra->records.empty() || ra->records != rb->records) return false;
  Result<BatchHeader> h = ParseBatchHeader(ra->records);
  return h.ok() && h->base_offset == base && h->crc == crc;
}
}  // namespace

void SamsaClusterFactory::CheckReplicaBytes(Simulation& sim, std::vector<Violation>& out) {
  std::vector<BrokerNode*> live = LiveBrokers(sim);
  std::map<int32_t, BrokerNode*> by_id;
  for (BrokerNode* b : live) by_id[b->id().value()] = b;
  // Each live replica's partition states, once per check (sorted by topic and partition).
  std::map<int32_t, std::vector<ReplicaManager::PartitionState>> states;
  for (BrokerNode* b : live)
    if (b->replicas() != nullptr) states[b->id().value()] = b->replicas()->Partitions();
  for (BrokerNode* leader : live) {
    if (leader->replicas() == nullptr) continue;
    for (const auto& st : states[leader->id().value()]) {
      if (!st.is_leader) continue;
      PartitionLog* llog = leader->replicas()->FindLog(st.topic, st.partition);
      if (llog == nullptr) continue;
      for (int32_t member : st.isr) {
        if (member == leader->id().value() || !by_id.count(member)) continue;
        ReplicaManager* fr = by_id[member]->replicas();
        if (fr == nullptr) continue;
        int64_t follower_hw = -1, follower_start = 0;
        const auto& fstates = states[member];
        auto fs = std::lower_bound(fstates.begin(), fstates.end(), st, [](const auto& a, const auto& b) {
          return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
        });
        if (fs != fstates.end() && fs->topic == st.topic && fs->partition == st.partition && !fs->is_leader) {
          follower_hw = fs->high_watermark;
          follower_start = fs->log_start_offset;
        }
        PartitionLog* flog = fr->FindLog(st.topic, st.partition);
        if (flog == nullptr || follower_hw <= 0) continue;
        int64_t from = std::max(llog->log_start_offset(), follower_start);
        int64_t to = std::min(st.high_watermark, follower_hw);
        ReplicaCompare& done = replica_compare_[{leader->id().value(), member, st.topic, st.partition}];
        if (done.compares++ % kFullCompareEvery != 0 && done.last_base >= from && done.verified_to > from &&
            SameBatchAt(*llog, *flog, done.last_base, done.last_crc))
          from = done.verified_to;  // equal below here at the last comparison, and still in place
        while (from < to) {
          auto a = llog->Read(from, 1 << 20);
          auto b = flog->Read(from, 1 << 20);
          if (!a.ok() || !b.ok() || a->records.empty() || b->records.empty()) break;
          // Compare batch by batch up to `to`.
          ByteView av(a->records), bv(b->records);
          size_t pos = 0;
          bool diverged = false;
          int64_t next = from;
          while (pos < av.size() && next < to) {
            Result<BatchHeader> ha = ParseBatchHeader(av.subspan(pos));
            if (!ha.ok()) break;
            size_t n = ha->total_bytes();
            if (pos + n > bv.size() || !std::equal(av.begin() + pos, av.begin() + pos + n, bv.begin() + pos)) {
              out.push_back({"replica-divergence", st.topic, st.partition, ha->base_offset,
                             fmt::format("leader {} and ISR follower {} differ in the batch at offset {} (below HW {})",
                                         leader->id().value(), member, ha->base_offset, to)});
              diverged = true;
              break;
            }
            pos += n;
            next = ha->next_offset();
            done.verified_to = next;
            done.last_base = ha->base_offset;
            done.last_crc = ha->crc;
          }
          if (diverged || next <= from) break;
          from = next;
        }
      }
    }
  }
}

const std::map<SamsaClusterFactory::Tp, FinalLog>& SamsaClusterFactory::FinalLogs(Simulation& sim) {
  if (final_logs_) return *final_logs_;
  final_logs_.emplace();
  std::map<int32_t, BrokerNode*> by_id;
  for (BrokerNode* b : LiveBrokers(sim)) by_id[b->id().value()] = b;
  // Each live replica's partition states, for their high watermarks.
  std::map<int32_t, std::vector<ReplicaManager::PartitionState>> states;
  for (const auto& [id, b] : by_id)
    if (b->replicas() != nullptr) states[id] = b->replicas()->Partitions();
  auto hw_on = [&](int32_t node, const Tp& tp) -> std::optional<int64_t> {
    auto it = states.find(node);
    if (it == states.end() || by_id[node]->replicas()->FindLog(tp.first, tp.second) == nullptr) return std::nullopt;
    for (const auto& st : it->second)
      if (st.topic == tp.first && st.partition == tp.second) return st.high_watermark;
    return std::nullopt;
  };
  BrokerNode* fresh = Freshest(sim);
  for (const auto& topic : scenario_->topics) {
    for (int32_t index = 0; index < topic.partitions; ++index) {
      const Tp tp(topic.name, index);
      FinalLog& out = (*final_logs_)[tp];
      const PartitionInfo* p = fresh ? fresh->image().FindPartition(topic.name, index) : nullptr;
      int32_t from = -1;
      int64_t hw = 0;
      if (p != nullptr && p->leader >= 0 && hw_on(p->leader, tp)) {
        from = p->leader;
        hw = *hw_on(from, tp);
        out.source = fmt::format("leader {}, HW {}", from, hw);
      } else {
        // No live leader: the live replica with the highest high watermark (the lowest id on a tie).
        std::vector<int32_t> replicas = p ? p->replicas : std::vector<int32_t>{};
        std::sort(replicas.begin(), replicas.end());
        for (int32_t r : replicas)
          if (auto h = hw_on(r, tp); h && (from < 0 || *h > hw)) from = r, hw = *h;
        const std::string why = p == nullptr ? "not in the metadata"
                                : p->leader < 0 ? "no leader"
                                                : fmt::format("leader {} is down", p->leader);
        out.source = from < 0 ? why + ", no live replica"
                              : fmt::format("{}: replica {} (the highest HW among live replicas), HW {}", why, from, hw);
      }
      if (from < 0) continue;
      PartitionLog* log = by_id[from]->replicas()->FindLog(topic.name, index);
      // The committed records, then the rest of the log (acked-uncommitted tells the records held
      // there from the records lost).
      const int64_t leo = log->log_end_offset();
      for (int64_t at = log->log_start_offset(); at < leo;) {
        auto read = log->Read(at, 1 << 20);
        if (!read.ok() || read->records.empty() || read->next_offset <= at) break;
        auto batches = SplitBatches(read->records);
        if (!batches.ok()) break;
        Record rec;  // reused: one record at a time, no vector of them
        for (ByteView batch : *batches) {
          auto it = RecordIterator::Open(batch, 64 << 20);
          if (!it.ok()) continue;
          for (Result<bool> more = it->Next(&rec); more.ok() && *more; more = it->Next(&rec)) {
            const int64_t offset = rec.AbsoluteOffset(it->header());
            if (offset < at) continue;
            (offset < hw ? out.records : out.uncommitted)
                .emplace_back(offset, rec.value ? std::string(AsString(*rec.value)) : std::string());
          }
        }
        at = read->next_offset;
      }
    }
  }
  return *final_logs_;
}

std::vector<Violation> SamsaClusterFactory::CheckHistory(Simulation& sim, const RunTimeline& timeline) {
  // High watermarks are sampled every check interval; take a last sample now, so that a read
  // of data that became committed after the last sample is not mistaken for a dirty read.
  for (BrokerNode* b : LiveBrokers(sim)) {
    if (b->replicas() == nullptr) continue;
    for (const auto& st : b->replicas()->Partitions())
      runtime_.NoteHighWatermark(st.topic, st.partition, st.high_watermark);
  }
  CheckerOptions options;
  options.max_high_watermark = runtime_.max_high_watermark();
  FinalLogs(sim);
  options.final_logs = std::move(*final_logs_);  // lent, not copied: hundreds of thousands of records
  options.elections = runtime_.elections();
  for (const TimelineEntry& e : timeline.entries)
    if (e.kind == "fault" || e.kind == "nemesis") options.faults.push_back({e.at_ns, e.text});
  std::vector<Violation> out = sim::CheckHistory(*history_, options).violations;
  *final_logs_ = std::move(options.final_logs);
  // Liveness after the heal-and-settle phase: every partition has a leader again.
  if (scenario_->settle_ns > 0) {
    view::ClusterView v;
    Describe(sim, &v);
    if (!v.AnyBrokerRunning()) {
      out.push_back({"liveness", "", -1, -1, "no broker is up at the end of the settle phase"});
    } else {
      for (const view::TopicView& t : v.topics)
        for (const view::PartitionView& p : t.partitions)
          if (p.leader < 0)
            out.push_back({"liveness", t.name, p.partition, -1, "no leader at the end of the settle phase"});
    }
  }
  return out;
}

Stats SamsaClusterFactory::CollectStats(Simulation& sim) {
  Stats s;
  for (const auto& [id, kind] : client_kinds_) {
    if (auto* p = dynamic_cast<client::ProducerNode*>(sim.node(NodeId(id)))) s.batch_sends += p->stats().batch_sends;
  }
  for (size_t i = 0; i < history_->size(); ++i) {
    const client::History::Entry& e = history_->entry(i);
    if (e.op() == client::EventOp::kSend && e.type() == client::EventType::kInvoke) ++s.produced;
    if (e.op() == client::EventOp::kSend && e.type() == client::EventType::kOk) ++s.acked;
    if (e.op() == client::EventOp::kPoll && e.type() == client::EventType::kOk) ++s.consumed;
  }
  return s;
}

ExpectationResult SamsaClusterFactory::Evaluate(const Expectation& e, Simulation& sim, const RunTimeline& timeline) {
  ExpectationResult r;
  r.name = e.name;
  int64_t from = e.after_ns, until = e.after_ns + e.within_ns;
  auto series_of = [&](const PartitionRef& p) -> const std::vector<Sample>* {
    auto it = samples_.find({p.topic, p.partition});
    return it == samples_.end() ? nullptr : &it->second;
  };
  auto at = [](const std::vector<Sample>& s, int64_t t) -> const Sample* {
    const Sample* last = nullptr;
    for (const auto& x : s)
      if (x.at_ns <= t) last = &x;
    return last;
  };
  switch (e.kind) {
    case ExpectKind::kNewLeaderWithin:
    case ExpectKind::kLeaderWithin: {
      const auto* s = e.partition ? series_of(*e.partition) : nullptr;
      if (s == nullptr) {
        r.detail = "the partition never appeared in the metadata";
        return r;
      }
      const Sample* before = at(*s, from);
      int32_t old_leader = before ? before->leader : -1;
      for (const auto& x : *s) {
        if (x.at_ns < from || x.at_ns > until) continue;
        if (x.leader >= 0 && (e.kind == ExpectKind::kLeaderWithin || x.leader != old_leader)) {
          r.passed = true;
          r.detail = fmt::format("{}: leader {} -> {} (epoch {}) at {}", e.partition->ToString(), old_leader, x.leader,
                                 x.leader_epoch, Ms(x.at_ns));
          return r;
        }
      }
      if (e.kind == ExpectKind::kLeaderWithin && before && before->leader >= 0 &&
          std::none_of(s->begin(), s->end(), [&](const Sample& x) { return x.at_ns > from && x.at_ns <= until; })) {
        r.passed = true;
        r.detail = fmt::format("{}: leader {} throughout", e.partition->ToString(), before->leader);
        return r;
      }
      r.detail = fmt::format("{}: no {}leader between {} and {} (leader at {}: {})", e.partition->ToString(),
                             e.kind == ExpectKind::kNewLeaderWithin ? "new " : "", Ms(from), Ms(until), Ms(from),
                             old_leader);
      return r;
    }
    case ExpectKind::kControllerWithin: {
      // Passes when some server is the active controller at some instant of [after, after +
      // within] (each change is seen at the step that made it, not at a sampled instant).
      int32_t id = -1;
      int64_t since = 0;
      for (const auto& [t, c] : active_controller_changes_) {
        if (t > from) break;
        id = c, since = t;
      }
      if (id >= 0) {
        r.passed = true;
        r.detail = fmt::format("active controller {} at {} (since {})", id, Ms(from), Ms(since));
        return r;
      }
      for (const auto& [t, c] : active_controller_changes_)
        if (t > from && t <= until && c >= 0) {
          r.passed = true;
          r.detail = fmt::format("active controller {} from {}", c, Ms(t));
          return r;
        }
      r.detail = fmt::format("no active controller at any instant between {} and {}", Ms(from), Ms(until));
      return r;
    }
    case ExpectKind::kIsrShrinks:
    case ExpectKind::kIsrExpands: {
      const auto* s = e.partition ? series_of(*e.partition) : nullptr;
      if (s == nullptr) {
        r.detail = "the partition never appeared in the metadata";
        return r;
      }
      const Sample* prev = at(*s, from);
      for (const auto& x : *s) {
        if (x.at_ns <= from || x.at_ns > until) continue;
        if (prev != nullptr) {
          bool shrank = x.isr.size() < prev->isr.size();
          bool grew = x.isr.size() > prev->isr.size();
          if ((e.kind == ExpectKind::kIsrShrinks && shrank) || (e.kind == ExpectKind::kIsrExpands && grew)) {
            r.passed = true;
            r.detail = fmt::format("{}: ISR {} -> {} at {}", e.partition->ToString(), fmt::join(prev->isr, ","),
                                   fmt::join(x.isr, ","), Ms(x.at_ns));
            return r;
          }
        }
        prev = &x;
      }
      r.detail = fmt::format("{}: ISR did not {} between {} and {}", e.partition->ToString(),
                             e.kind == ExpectKind::kIsrShrinks ? "shrink" : "grow", Ms(from), Ms(until));
      return r;
    }
    case ExpectKind::kProducersMakeProgress: {
      int64_t since = e.after_ns > 0 ? e.after_ns : timeline.faults_end_ns;
      uint64_t acks = 0;
      std::map<int32_t, int64_t> last_ack;  // per producer: its last acknowledgement (or since)
      int64_t stall = 0, stall_end = 0;
      int32_t stall_producer = -1;
      for (size_t i = 0; i < history_->size(); ++i) {
        const client::History::Entry& ev = history_->entry(i);
        if (ev.op() != client::EventOp::kSend || ev.type() != client::EventType::kOk || ev.time_ns < since) continue;
        ++acks;
        auto [it, first] = last_ack.emplace(ev.process, since);
        if (ev.time_ns - it->second > stall)
          stall = ev.time_ns - it->second, stall_end = ev.time_ns, stall_producer = ev.process;
        it->second = ev.time_ns;
      }
      r.passed = acks > 0 && (e.max_stall_ns == 0 || stall <= e.max_stall_ns);
      r.detail = fmt::format("{} acknowledgements after {}", acks, Ms(since));
      if (e.max_stall_ns > 0)
        r.detail += fmt::format("; longest stall {} (producer {}, until {}; limit {})", Ms(stall), stall_producer,
                                Ms(stall_end), Ms(e.max_stall_ns));
      return r;
    }
    case ExpectKind::kLagBelow: {
      for (const auto& [t, lag] : lag_samples_) {
        if (t < e.after_ns) continue;
        r.passed = lag <= e.messages;
        r.detail = fmt::format("largest consumer lag {} at {} (limit {})", lag, Ms(t), e.messages);
        return r;
      }
      r.detail = fmt::format("no lag sample after {}", Ms(e.after_ns));
      return r;
    }
    case ExpectKind::kAllAckedReadable: {
      // Every acknowledged record is in the final log (FinalLogs: the committed records of the
      // leader at the end) at its offset; the same comparison as the checker's acked-lost.
      const std::map<Tp, FinalLog>& logs = FinalLogs(sim);
      uint64_t checked = 0, missing = 0;
      std::string first_missing;
      for (const auto& ev : history_->events()) {
        if (ev.op != client::EventOp::kSend || ev.type != client::EventType::kOk || ev.offset < 0) continue;
        ++checked;
        bool found = false;
        if (auto log = logs.find({std::string(ev.topic), ev.partition}); log != logs.end()) {
          const auto& records = log->second.records;
          auto at = std::lower_bound(records.begin(), records.end(), ev.offset,
                                     [](const std::pair<int64_t, std::string>& r, int64_t o) { return r.first < o; });
          found = at != records.end() && at->first == ev.offset && at->second == ev.value;
        }
        if (!found && ++missing == 1)
          first_missing = fmt::format("{} at {}-{}@{}", ev.value, ev.topic, ev.partition, ev.offset);
      }
      r.passed = missing == 0;
      r.detail = missing == 0 ? fmt::format("all {} acknowledged records readable", checked)
                              : fmt::format("{} of {} acknowledged records missing (first: {})", missing, checked,
                                            first_missing);
      return r;
    }
    case ExpectKind::kNoViolations:
    case ExpectKind::kViolation:
      break;
  }
  r.detail = "judged by the runner";
  return r;
}

void SamsaClusterFactory::Describe(Simulation& sim, view::ClusterView* v) {
  using Key = std::pair<std::string, int32_t>;
  BrokerNode* fresh = Freshest(sim);
  const MetadataImage* image = fresh ? &fresh->image() : nullptr;
  // What each live broker says of itself, and its local replicas by partition.
  std::map<int32_t, view::BrokerSelf> self;
  for (BrokerNode* b : LiveBrokers(sim)) self.emplace(b->id().value(), b->Describe());
  std::map<int32_t, std::map<Key, const view::LocalReplica*>> local;
  for (const auto& [id, d] : self)
    for (const view::LocalReplica& r : d.replicas) local[id][{r.topic, r.partition}] = &r;
  const std::vector<int32_t>& voters = scenario_->cluster.controllers;
  for (int32_t id : scenario_->ServerIds()) {
    view::BrokerView b;
    b.id = id;
    b.is_broker = id <= scenario_->cluster.brokers;
    b.is_voter = std::find(voters.begin(), voters.end(), id) != voters.end();
    b.process = ProcessOf(sim, NodeId(id));
    if (auto it = self.find(id); it != self.end()) {
      const view::BrokerSelf& d = it->second;
      b.lifecycle = d.lifecycle;
      b.broker_epoch = d.broker_epoch;
      b.is_active_controller = d.is_active_controller;
      b.raft_epoch = d.raft_epoch;
      b.raft_role = d.raft_role;
      b.raft_leader = d.raft_leader;
      b.metadata_offset = d.metadata_offset;
    } else {
      b.lifecycle = "down";
    }
    if (const BrokerInfo* info = image ? image->FindBroker(id) : nullptr) {
      b.registered = true;
      b.fenced = info->fenced;
      b.in_controlled_shutdown = info->shutting_down;
      if (b.broker_epoch < 0) b.broker_epoch = info->epoch;
    }
    v->brokers.push_back(std::move(b));
  }
  // Partitions: the committed metadata, and each replica's own offsets.
  std::map<Key, int64_t> leader_hw;
  if (image != nullptr) {
    for (const auto& [name, topic] : image->topics()) {
      view::TopicView t;
      t.name = name;
      for (const auto& [index, p] : topic.partitions) {
        view::PartitionView pv;
        pv.topic = name;
        pv.partition = index;
        pv.leader = p.leader;
        pv.leader_epoch = p.leader_epoch;
        pv.partition_epoch = p.partition_epoch;
        pv.replicas = p.replicas;
        pv.isr = p.isr;
        std::sort(pv.isr.begin(), pv.isr.end());
        pv.elr = p.eligible_leaders;
        std::sort(pv.elr.begin(), pv.elr.end());
        const Key key{name, index};
        const view::LocalReplica* leader_local = nullptr;
        if (auto it = local.find(p.leader); it != local.end())
          if (auto r = it->second.find(key); r != it->second.end() && r->second->is_leader) leader_local = r->second;
        const int64_t leader_now_ms = leader_local ? self[p.leader].local_now_ms : 0;
        for (int32_t replica : p.replicas) {
          view::ReplicaView rv;
          rv.broker = replica;
          rv.in_isr = std::binary_search(pv.isr.begin(), pv.isr.end(), replica);
          rv.eligible = std::binary_search(pv.elr.begin(), pv.elr.end(), replica);
          rv.is_leader = replica == p.leader;
          if (auto it = local.find(replica); it != local.end())
            if (auto r = it->second.find(key); r != it->second.end()) {
              const view::LocalReplica& lr = *r->second;
              rv.online = true;
              rv.log_start_offset = lr.log_start_offset;
              rv.log_end_offset = lr.log_end_offset;
              rv.durable_offset = lr.durable_offset;
              rv.high_watermark = lr.high_watermark;
            }
          if (leader_local != nullptr) {
            if (rv.is_leader) {
              rv.last_caught_up_ns = leader_now_ms * 1'000'000;
            } else {
              for (const auto& [follower, ms] : leader_local->follower_caught_up_ms)
                if (follower == replica && ms >= 0) rv.last_caught_up_ns = ms * 1'000'000;
            }
          }
          pv.replica_views.push_back(std::move(rv));
        }
        if (leader_local != nullptr) leader_hw[key] = leader_local->high_watermark;
        t.partitions.push_back(std::move(pv));
      }
      v->topics.push_back(std::move(t));
    }
  }
  // Clients.
  for (const auto& [id, kind] : client_kinds_) {
    view::ClientView c;
    Node* node = sim.node(NodeId(id));
    if (auto* p = dynamic_cast<client::ProducerNode*>(node)) {
      c = p->Describe();
    } else if (auto* cn = dynamic_cast<client::ConsumerNode*>(node)) {
      c = cn->Describe();
      for (view::ConsumerPositionView& pos : c.positions) {
        auto hw = leader_hw.find({c.target, pos.partition});
        if (hw == leader_hw.end()) continue;
        pos.high_watermark = hw->second;
        if (pos.position >= 0) pos.lag = std::max<int64_t>(0, pos.high_watermark - pos.position);
      }
    } else {
      c.id = id;
      c.kind = kind.first;
      c.target = kind.second;
    }
    c.up = node != nullptr;
    v->clients.push_back(std::move(c));
  }
}

Status SamsaClusterFactory::SetRate(Simulation& sim, int32_t client, int64_t rate_per_s) {
  auto it = client_kinds_.find(client);
  if (it == client_kinds_.end() || it->second.first != "producer")
    return Status::InvalidArgument(fmt::format("client {} is not a producer", client));
  if (rate_per_s < 0) return Status::InvalidArgument("a rate is at least 0");
  auto* p = dynamic_cast<client::ProducerNode*>(sim.node(NodeId(client)));
  if (p == nullptr) return Status::FailedPrecondition(fmt::format("producer {} is down", client));
  p->SetRate(rate_per_s, sim.LocalNow(NodeId(client)));
  return Status::Ok();
}

Status SamsaClusterFactory::StopConsumer(Simulation& sim, int32_t client) {
  auto it = client_kinds_.find(client);
  if (it == client_kinds_.end() || it->second.first != "consumer")
    return Status::InvalidArgument(fmt::format("client {} is not a consumer", client));
  auto* c = dynamic_cast<client::ConsumerNode*>(sim.node(NodeId(client)));
  if (c == nullptr) return Status::FailedPrecondition(fmt::format("consumer {} is down", client));
  c->StopAt(sim.LocalNow(NodeId(client)));
  return Status::Ok();
}

Result<view::RecordHistoryView> SamsaClusterFactory::RecordHistory(Simulation&, const PartitionRef& partition,
                                                                  std::string_view value) {
  if (!history_) return Status::FailedPrecondition("no run");
  view::RecordHistoryView out;
  uint64_t op = 0;
  for (const client::HistoryEvent& e : history_->events()) {
    if (e.value != value) continue;
    if (e.op == client::EventOp::kSend) {
      // Producers choose the partition: match the send by value, its completion by op id.
      if (e.type == client::EventType::kInvoke && op == 0) {
        op = e.op_id;
        out.producer = e.process;
        out.sent_ns = e.time_ns;
      } else if (e.op_id == op && e.type == client::EventType::kOk) {
        out.acked_ns = e.time_ns;
        out.acked_offset = e.offset;
      } else if (e.op_id == op && e.type == client::EventType::kFail) {
        out.ack_error = std::string(e.error);
      }
    } else if (e.type == client::EventType::kOk && e.topic == partition.topic && e.partition == partition.partition) {
      bool seen = false;
      for (const auto& [consumer, at] : out.read_by) seen |= consumer == e.process;
      if (!seen) out.read_by.emplace_back(e.process, e.time_ns);
    }
  }
  if (out.sent_ns < 0 && out.read_by.empty())
    return Status::NotFound(fmt::format("no client sent or read the value '{}'", value));
  return out;
}

Result<view::BrokerDetailsView> SamsaClusterFactory::DescribeBroker(Simulation& sim, int32_t node) {
  if (!sim.Has(NodeId(node))) return Status::NotFound(fmt::format("no node {} in this cluster", node));
  auto* b = dynamic_cast<BrokerNode*>(sim.node(NodeId(node)));
  if (b == nullptr) return Status::FailedPrecondition(fmt::format("broker {} is down (or not a broker)", node));
  view::BrokerDetailsView d;
  d.id = node;
  // Broker() sets these per node; the scenario's cluster.config sets the rest it names.
  static const std::set<std::string> kSetPerNode = {"node.id", "process.roles", "controller.quorum.voters",
                                                    "advertised.listeners", "log.dirs", "cluster.id"};
  for (auto& [name, value] : b->config().Describe()) {
    std::string source = kSetPerNode.count(name) ? "simulator"
                         : scenario_ != nullptr && scenario_->cluster.config.count(name) ? "scenario"
                                                                                         : "default";
    d.config.push_back({name, std::move(value), std::move(source)});
  }
  if (b->replicas() != nullptr)
    for (const view::LocalReplica& r : b->Describe().replicas)
      if (const PartitionLog* log = b->replicas()->FindLog(r.topic, r.partition))
        for (const auto& [base, bytes] : log->segments()) d.segments.push_back({r.topic, r.partition, base, bytes});
  return d;
}

Result<std::vector<view::LogRecordView>> SamsaClusterFactory::ReadLog(Simulation& sim, int32_t node,
                                                                      const PartitionRef& partition, int64_t from,
                                                                      size_t max_records) {
  if (!sim.Has(NodeId(node))) return Status::NotFound(fmt::format("no node {} in this cluster", node));
  auto* b = dynamic_cast<BrokerNode*>(sim.node(NodeId(node)));
  if (b == nullptr) return Status::FailedPrecondition(fmt::format("broker {} is down (or not a broker)", node));
  if (b->replicas() == nullptr) {
    return Status::NotFound(b->config().broker_role
                                ? fmt::format("broker {} has not opened its logs yet (it opens them once registered)", node)
                                : fmt::format("node {} is a controller: it keeps no partition logs", node));
  }
  PartitionLog* log = b->replicas()->FindLog(partition.topic, partition.partition);
  if (log == nullptr) return Status::NotFound(fmt::format("broker {} holds no replica of {}", node, partition.ToString()));
  std::vector<view::LogRecordView> out;
  int64_t at = std::max(from, log->log_start_offset());
  while (out.size() < max_records && at < log->log_end_offset()) {
    auto read = log->Read(at, 1 << 20);
    if (!read.ok()) return read.status();
    if (read->records.empty() || read->next_offset <= at) break;
    auto batches = SplitBatches(read->records);
    if (!batches.ok()) return batches.status();
    Record rec;
    for (ByteView batch : *batches) {
      auto it = RecordIterator::Open(batch, 64 << 20);
      if (!it.ok()) return it.status();
      for (Result<bool> more = it->Next(&rec); more.ok() && *more && out.size() < max_records; more = it->Next(&rec)) {
        const int64_t offset = rec.AbsoluteOffset(it->header());
        if (offset < at) continue;
        view::LogRecordView r;
        r.offset = offset;
        r.has_key = rec.key.has_value();
        if (rec.key) r.key = std::string(AsString(*rec.key));
        r.has_value = rec.value.has_value();
        if (rec.value) r.value = std::string(AsString(*rec.value));
        r.timestamp_ms = rec.AbsoluteTimestamp(it->header());
        r.batch_leader_epoch = it->header().partition_leader_epoch;
        out.push_back(std::move(r));
      }
    }
    at = read->next_offset;
  }
  return out;
}

}  // namespace samsa::sim

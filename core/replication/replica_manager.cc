#include "core/replication/replica_manager.h"

#include <algorithm>
#include <charconv>
#include <span>

#include "core/base/assert.h"
#include "core/controller/metadata_image.h"
#include "core/protocol/error_codes.h"
#include "core/record/batch_header.h"
#include "core/record/record_batch.h"

namespace samsa {

namespace {

constexpr int16_t Err(ErrorCode code) { return int16_t(code); }

bool Contains(const std::vector<int32_t>& v, int32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

std::vector<int32_t> Sorted(std::vector<int32_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// Parses "<topic>-<partition>"; nullopt for other names.
std::optional<std::pair<std::string, int32_t>> ParsePartitionDir(const std::string& name) {
  size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 >= name.size()) return std::nullopt;
  int32_t index = 0;
  const char* first = name.data() + dash + 1;
  const char* last = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(first, last, index);
  if (ec != std::errc() || ptr != last || index < 0) return std::nullopt;
  return std::make_pair(name.substr(0, dash), index);
}

// a + b for a time (negative under a stepped clock) and an interval >= 0 that may be "never"
// (INT64_MAX): saturates at INT64_MAX instead of overflowing.
int64_t SaturatingAdd(int64_t a, int64_t b) { return b > 0 && a > INT64_MAX - b ? INT64_MAX : a + b; }

// Validates a producer's RECORDS: whole batches, each within max_batch_bytes, every record
// decodable. Returns the Kafka error (0 when valid).
int16_t ValidateProducerRecords(ByteView data, int64_t max_batch_bytes) {
  if (data.empty()) return Err(ErrorCode::kCorruptMessage);
  size_t pos = 0;
  while (pos < data.size()) {
    ByteView rest = data.subspan(pos);
    auto size = PeekBatchSize(rest, SIZE_MAX);
    if (!size.ok()) return Err(ErrorCode::kCorruptMessage);
    if (*size > uint64_t(max_batch_bytes)) return Err(ErrorCode::kMessageTooLarge);
    if (*size > rest.size()) return Err(ErrorCode::kCorruptMessage);
    auto it = RecordIterator::Open(rest.first(*size), kDefaultMaxDecompressedBytes);
    if (!it.ok()) return Err(ErrorCode::kCorruptMessage);
    if (it->header().record_count < 1) return Err(ErrorCode::kCorruptMessage);
    for (;;) {
      auto more = it->Skip();  // every record checked, none copied out
      if (!more.ok()) return Err(ErrorCode::kCorruptMessage);
      if (!*more) break;
    }
    pos += *size;
  }
  return 0;
}

// Keeps the whole batches of `data` whose last offset is below limit (stops at the first that is
// not); returns the byte count kept.
size_t BytesBelow(ByteView data, int64_t limit) {
  size_t pos = 0;
  while (pos + kBatchHeaderBytes <= data.size()) {
    auto h = ParseBatchHeader(data.subspan(pos));
    if (!h.ok() || pos + h->total_bytes() > data.size() || h->last_offset() >= limit) break;
    pos += h->total_bytes();
  }
  return pos;
}

// The answer for `key` in a response's topics and their partitions (`index` names the partition
// index member); when a partition appears more than once, the last one (as a map would keep).
template <typename Topic, typename Partition>
const Partition* FindAnswer(const std::vector<Topic>& topics, const std::pair<std::string, int32_t>& key,
                            int32_t Partition::*index) {
  for (auto t = topics.rbegin(); t != topics.rend(); ++t) {
    if (t->topic != key.first) continue;
    for (auto p = t->partitions.rbegin(); p != t->partitions.rend(); ++p)
      if ((*p).*index == key.second) return &*p;
  }
  return nullptr;
}

// Calls fn(key, group) for each run of equal .first in v, in order.
template <typename T, typename Fn>
void ForEachGroup(const std::vector<T>& v, Fn&& fn) {
  for (size_t i = 0; i < v.size();) {
    size_t end = i + 1;
    while (end < v.size() && v[end].first == v[i].first) ++end;
    fn(v[i].first, std::span<const T>(v.data() + i, end - i));
    i = end;
  }
}

}  // namespace

ReplicaManager::ReplicaManager(ReplicaConfig config, Disk& disk) : config_(std::move(config)), disk_(disk) {}

ReplicaManager::~ReplicaManager() = default;

std::string ReplicaManager::DirOf(const std::string& topic, int32_t index) const {
  return JoinPath(config_.log_root, topic + "-" + std::to_string(index));
}

Status ReplicaManager::Open(int64_t now_ms) {
  SAMSA_RETURN_IF_ERROR(disk_.CreateDir(config_.log_root));
  // Each log syncs its own directory and that directory's parent (log_root); the names of
  // log_root and its ancestors are ours to make durable.
  for (SyncId id : RequestSyncOfAncestors(disk_, config_.log_root)) untracked_syncs_.insert(id);
  // The high watermarks of the previous incarnation. A leftover temp file is a write cut short.
  std::string checkpoint = CheckpointPath();
  std::string checkpoint_tmp = checkpoint + std::string(kTempFileSuffix);
  if (disk_.Exists(checkpoint_tmp)) SAMSA_RETURN_IF_ERROR(disk_.Remove(checkpoint_tmp));
  if (disk_.Exists(checkpoint)) {
    SAMSA_ASSIGN_OR_RETURN(Bytes text, disk_.Read(checkpoint, 0, SIZE_MAX));
    auto parsed = ParseReplicationOffsetCheckpoint(AsString(text));
    // Unreadable (a flipped bit): start every partition from its log start, as without the file.
    if (parsed.ok()) recovered_hws_ = std::move(parsed).value();
  }
  checkpointed_hws_ = recovered_hws_;
  next_checkpoint_ms_ = now_ms + config_.hw_checkpoint_interval_ms;
  SAMSA_ASSIGN_OR_RETURN(auto names, disk_.List(config_.log_root));
  for (const std::string& name : names) {
    if (!disk_.IsDir(JoinPath(config_.log_root, name))) continue;
    auto parsed = ParsePartitionDir(name);
    // The KRaft metadata log lives beside the partitions (as in Kafka) but belongs to Raft.
    if (!parsed || parsed->first == "__cluster_metadata") continue;
    auto opened = OpenPartition(parsed->first, parsed->second, now_ms);
    if (!opened.ok()) return opened.status().WithContext(name);
  }
  return Status::Ok();
}

Result<ReplicaManager::Partition*> ReplicaManager::OpenPartition(const std::string& topic, int32_t index,
                                                                  int64_t now_ms) {
  PartitionKey key{topic, index};
  if (Partition* p = Find(key)) return p;
  SAMSA_ASSIGN_OR_RETURN(auto log, PartitionLog::Open(disk_, DirOf(topic, index), config_.log, now_ms));
  Partition& p = partitions_[key];
  ++partition_set_stamp_;
  all_partitions_.push_back(&p);
  auto& topic_entry = *by_topic_.try_emplace(topic).first;
  p.topic_entry = &topic_entry;
  if (index >= 0 && index < kMaxIndexedPartition) {
    std::vector<Partition*>& slots = topic_entry.second.partitions;
    if (slots.size() <= size_t(index)) slots.resize(size_t(index) + 1, nullptr);
    slots[size_t(index)] = &p;
  }
  p.topic = topic;
  p.index = index;
  p.log = std::move(log);
  // The checkpointed HW, within the recovered log; without one, the log start (a leader raises
  // it once its ISR has caught up).
  p.high_watermark = p.log->log_start_offset();
  if (auto hw = recovered_hws_.find(key); hw != recovered_hws_.end()) {
    p.high_watermark = std::clamp(hw->second, p.log->log_start_offset(), p.log->log_end_offset());
    recovered_hws_.erase(hw);
  }
  p.last_flush_ms = now_ms;
  MarkTouched(p);
  ApplyTopicSettings(p);
  SyncTruncation(p);  // recovery may have cut the log
  return &p;
}

ReplicaManager::Partition* ReplicaManager::Find(const std::string& topic, int32_t partition) {
  return const_cast<Partition*>(std::as_const(*this).Find(topic, partition));
}

const ReplicaManager::TopicSlots* ReplicaManager::SlotsOf(const std::string& topic) const {
  if (last_topic_ == nullptr || last_topic_->first != topic) {
    auto t = by_topic_.find(topic);
    if (t == by_topic_.end()) return nullptr;
    last_topic_ = &*t;
  }
  return &last_topic_->second;
}

const ReplicaManager::Partition* ReplicaManager::Find(const std::string& topic, int32_t partition) const {
  if (partition < 0 || partition >= kMaxIndexedPartition) {
    auto it = partitions_.find(PartitionKey{topic, partition});
    return it == partitions_.end() ? nullptr : &it->second;
  }
  const TopicSlots* t = SlotsOf(topic);
  if (t == nullptr) return nullptr;
  return size_t(partition) < t->partitions.size() ? t->partitions[size_t(partition)] : nullptr;
}

std::vector<uint64_t>* ReplicaManager::ParkedOn(const PartitionKey& key, bool create) {
  if (key.second < 0 || key.second >= kMaxIndexedPartition) {
    if (create) return &parked_produce_overflow_[key];
    auto it = parked_produce_overflow_.find(key);
    return it == parked_produce_overflow_.end() ? nullptr : &it->second;
  }
  TopicSlots* t = const_cast<TopicSlots*>(SlotsOf(key.first));
  if (t == nullptr) {
    if (!create) return nullptr;
    t = &by_topic_[key.first];
  }
  if (size_t(key.second) >= t->parked.size()) {
    if (!create) return nullptr;
    t->parked.resize(size_t(key.second) + 1);
  }
  return &t->parked[size_t(key.second)];
}

PartitionLog* ReplicaManager::FindLog(const std::string& topic, int32_t partition) {
  Partition* p = Find({topic, partition});
  return p ? p->log.get() : nullptr;
}

void ReplicaManager::DeletePartition(const PartitionKey& key) {
  auto it = partitions_.find(key);
  if (it == partitions_.end()) return;
  std::string dir = it->second.log->dir();
  LeaveFetch(it->second);
  if (it->second.held_link >= 0 && HeldBy(it->second, it->second.held_link))
    links_[it->second.held_link].orphans.push_back(key);
  for (auto& [leader, link] : links_) std::erase(link.dirty, &it->second);
  ++partition_set_stamp_;
  for (const auto& [seq, hw] : it->second.fetch_watchers)
    if (auto pf = parked_fetches_.find(seq); pf != parked_fetches_.end()) std::erase(pf->second.watched, &it->second);
  all_partitions_.erase(std::find(all_partitions_.begin(), all_partitions_.end(), &it->second));
  std::erase(touched_, &it->second);
  std::erase(timed_, &it->second);
  std::erase(pump_, &it->second);
  if (auto t = by_topic_.find(key.first); t != by_topic_.end() && key.second >= 0 &&
                                          size_t(key.second) < t->second.partitions.size()) {
    t->second.partitions[size_t(key.second)] = nullptr;
  }
  partitions_.erase(it);
  for (auto s = syncs_.begin(); s != syncs_.end();) {
    if (s->second == key) {
      untracked_syncs_.insert(s->first);
      s = syncs_.erase(s);
    } else {
      ++s;
    }
  }
  // Best effort: a file left behind makes the next Open of this directory fail loudly.
  auto names = disk_.List(dir);
  if (names.ok()) {
    for (const std::string& name : *names) (void)disk_.Remove(JoinPath(dir, name));
  }
  (void)disk_.Remove(dir);
}

// ---------------------------------------------------------------------------------------------
// Metadata

void ReplicaManager::OnMetadataUpdate(const MetadataImage& image, int64_t broker_epoch, int64_t now_ms) {
  OnAssignments(AssignmentsOf(image), broker_epoch, now_ms);
}

ReplicaAssignments ReplicaManager::AssignmentsOf(const MetadataImage& image) {
  ReplicaAssignments a;
  for (const auto& [id, broker] : image.brokers()) a.broker_epochs[id] = broker.epoch;
  for (const auto& [name, topic] : image.topics()) {
    AssignedTopic& t = a.topics[name];
    t.name = name;
    t.id = topic.id;
    t.configs = topic.configs;
    for (const auto& [index, info] : topic.partitions) {
      AssignedPartition& p = t.partitions[index];
      p.partition = index;
      p.replicas = info.replicas;
      p.isr = info.isr;
      p.eligible_leaders = info.eligible_leaders;
      p.leader = info.leader;
      p.leader_epoch = info.leader_epoch;
      p.partition_epoch = info.partition_epoch;
    }
  }
  return a;
}

void ReplicaManager::OnAssignments(const ReplicaAssignments& assignments, int64_t broker_epoch, int64_t now_ms) {
  broker_epoch_ = broker_epoch;
  // A broker that registered again (new broker epoch) restarted and may have lost data: forget
  // what its previous incarnation told us, so its stale LEO cannot put it back into an ISR.
  std::set<int32_t> restarted;
  for (const auto& [id, epoch] : assignments.broker_epochs) {
    auto old = assignments_.broker_epochs.find(id);
    if (old != assignments_.broker_epochs.end() && old->second != epoch) restarted.insert(id);
  }
  for (auto& [key, p] : partitions_) {
    for (int32_t id : restarted) {
      auto r = p.remotes.find(id);
      if (r == p.remotes.end()) continue;
      // A changed follower state: fetch session entries that found it steady are settled no
      // longer (regression: generated scenario 6007, where one stayed settled on the reset state).
      MarkTouched(p);
      r->second = RemoteReplica{};
    }
  }
  assignments_ = assignments;
  for (auto& [key, p] : partitions_) ApplyTopicSettings(p);

  // Partitions this node no longer replicates: stop and delete.
  std::vector<PartitionKey> removed;
  for (auto& [key, p] : partitions_) {
    auto t = assignments_.topics.find(key.first);
    const AssignedPartition* a = nullptr;
    if (t != assignments_.topics.end()) {
      auto pi = t->second.partitions.find(key.second);
      if (pi != t->second.partitions.end()) a = &pi->second;
    }
    if (a == nullptr || !Contains(a->replicas, config_.node_id)) removed.push_back(key);
  }
  for (const PartitionKey& key : removed) {
    Partition& gone = *Find(key);
    const bool was_replica = gone.role != Role::kNone;
    StopPartition(gone);
    if (was_replica) NotifyLeadership(gone, /*stopped=*/true);
    FailParkedFor(key, now_ms);
    DeletePartition(key);
  }

  for (const auto& [name, topic] : assignments_.topics) {
    for (const auto& [index, a] : topic.partitions) {
      if (!Contains(a.replicas, config_.node_id)) continue;
      auto opened = OpenPartition(name, index, now_ms);
      if (!opened.ok()) {
        // The log is unusable (requests for it get errors): the log directory has failed.
        if (log_failure_.ok()) log_failure_ = opened.status().WithContext(DirOf(name, index));
        continue;
      }
      Partition& p = **opened;
      if (p.log->lost_durable_data() && a.leader != config_.node_id && !Contains(a.isr, config_.node_id) &&
          !Contains(a.eligible_leaders, config_.node_id)) {
        // The controller has taken us out of the ISR for the committed data our log lost (the
        // registration reported it): rejoining now takes catching up like any follower.
        p.log->ForgetLostDurableData();
        MaybeFlush(p, now_ms, /*force=*/true);
      }
      if (p.role != Role::kNone && a.leader_epoch < p.leader_epoch) continue;  // stale image
      if (a.leader == config_.node_id) {
        if (p.role != Role::kLeader || a.leader_epoch > p.leader_epoch) {
          MakeLeader(p, a, now_ms);
        } else if (a.partition_epoch > p.partition_epoch) {
          // Same leader epoch, newer ISR (our AlterPartition or the controller's own change).
          MarkTouched(p);
          p.partition_epoch = a.partition_epoch;
          p.replicas = a.replicas;
          p.isr = Sorted(a.isr);
          p.pending_isr.reset();
          p.pending_alter_send = 0;
          p.alter_wait_for_metadata = false;
          for (int32_t r : p.replicas) {
            if (r != config_.node_id) p.remotes.try_emplace(r);
          }
          MaybeAdvanceHighWatermark(p);
          OnPartitionChanged({name, index}, now_ms);
        }
      } else {
        if (p.role != Role::kFollower || a.leader_epoch > p.leader_epoch || a.leader != p.leader_id) {
          MakeFollower(p, a, now_ms);
        } else {
          MarkTouched(p);
          p.partition_epoch = std::max(p.partition_epoch, a.partition_epoch);
          p.replicas = a.replicas;
          p.isr = Sorted(a.isr);
        }
      }
    }
  }
  CountLeadersWithFollowers();
  PumpFetchers(now_ms);
}

void ReplicaManager::CountLeadersWithFollowers() {
  leaders_with_followers_ = 0;
  for (const Partition* p : all_partitions_) leaders_with_followers_ += p->role == Role::kLeader && !p->remotes.empty();
}

bool ReplicaManager::TopicBefore(const Partition& a, const Partition& b) { return a.topic < b.topic; }

void ReplicaManager::MarkTouched(Partition& p, bool log_end_only) {
  p.version = ++partition_versions_;
  if (!log_end_only) p.read_version = p.version;
  if (!p.session_watchers.empty()) WakeSessions(p, /*replicas_only=*/log_end_only);
  if (p.touched) return;
  p.touched = true;
  touched_.push_back(&p);
}

bool ReplicaManager::Timed(const Partition& p) {
  return (p.retry_at_ms != 0 && p.role == Role::kFollower) || p.alter_retry_at_ms != 0 ||
         p.flush_interval_ms != std::numeric_limits<int64_t>::max();
}

void ReplicaManager::MarkPump(Partition& p) {
  if (p.pump) return;
  p.pump = true;
  pump_.push_back(&p);
}

void ReplicaManager::MarkTimed(Partition& p) {
  if (p.timed || !Timed(p)) return;
  p.timed = true;
  timed_.push_back(&p);
}

void ReplicaManager::StopPartition(Partition& p) {
  MarkTouched(p);
  p.role = Role::kNone;
  p.generation = ++generation_counter_;
  LeaveFetch(p);
  p.in_flight = false;
  p.phase = FollowerPhase::kNoLeader;
  p.remotes.clear();
  p.pending_isr.reset();
  p.pending_alter_send = 0;
}

void ReplicaManager::MakeLeader(Partition& p, const AssignedPartition& a, int64_t now_ms) {
  PartitionKey key{p.topic, p.index};
  MarkTouched(p);
  p.role = Role::kLeader;
  p.leader_id = config_.node_id;
  p.leader_epoch = a.leader_epoch;
  p.partition_epoch = a.partition_epoch;
  p.replicas = a.replicas;
  p.isr = Sorted(a.isr);
  int64_t leo = p.log->log_end_offset();
  p.leader_epoch_start_offset = leo;
  p.remotes.clear();
  for (int32_t r : p.replicas) {
    if (r == config_.node_id) continue;
    RemoteReplica remote;
    remote.last_caught_up_time_ms = Contains(p.isr, r) ? now_ms : 0;
    p.remotes[r] = remote;
  }
  p.pending_isr.reset();
  p.pending_alter_send = 0;
  p.alter_wait_for_metadata = false;
  p.alter_retry_at_ms = 0;
  p.generation = ++generation_counter_;
  LeaveFetch(p);
  p.in_flight = false;
  p.phase = FollowerPhase::kNoLeader;
  p.retry_at_ms = 0;
  p.high_watermark = std::clamp(p.high_watermark, p.log->log_start_offset(), leo);
  MaybeAdvanceHighWatermark(p);
  OnPartitionChanged(key, now_ms);
  NotifyLeadership(p);
}

void ReplicaManager::MakeFollower(Partition& p, const AssignedPartition& a, int64_t now_ms) {
  PartitionKey key{p.topic, p.index};
  StopPartition(p);
  p.role = Role::kFollower;
  p.leader_id = a.leader;
  p.leader_epoch = a.leader_epoch;
  p.partition_epoch = a.partition_epoch;
  p.replicas = a.replicas;
  p.isr = Sorted(a.isr);
  p.retry_at_ms = 0;
  int64_t leo = p.log->log_end_offset();
  p.high_watermark = std::min(p.high_watermark, leo);
  if (a.leader < 0) {
    p.phase = FollowerPhase::kNoLeader;
  } else if (p.log->latest_epoch().has_value() && leo > p.log->log_start_offset()) {
    // KIP-101/279: find where our log diverges from the new leader's before fetching.
    p.phase = FollowerPhase::kTruncating;
  } else {
    p.phase = FollowerPhase::kFetching;
  }
  MarkPump(p);
  FailParkedFor(key, now_ms);
  NotifyLeadership(p);
}

void ReplicaManager::NotifyLeadership(const Partition& p, bool stopped) {
  LeadershipChange change{p.topic, p.index, !stopped && p.role == Role::kLeader, stopped ? -1 : p.leader_epoch};
  for (const LeadershipListener& listener : leadership_listeners_) listener(change);
}

void ReplicaManager::FailParkedFor(const PartitionKey& key, int64_t now_ms) {
  CompleteParkedProduces(key, now_ms);
  CompleteParkedFetches(key, now_ms, /*hw_moved=*/true);
  CompleteInternalAppends(key);
}

void ReplicaManager::ApplyTopicSettings(Partition& p) {
  static const std::map<std::string, std::string> kNoConfigs;
  auto t = assignments_.topics.find(p.topic);
  const std::map<std::string, std::string>& configs = t != assignments_.topics.end() ? t->second.configs : kNoConfigs;
  // A topic config's value (checked by the controller when the topic was created), else `def`.
  auto number = [&](std::string_view name, int64_t def, int64_t min) { return TopicConfigNumber(configs, name, def, min); };
  LogConfig log = p.log->config();
  log.segment_bytes = number("segment.bytes", config_.log.segment_bytes, 14);
  log.roll_ms = number("segment.ms", config_.log.roll_ms, 1);
  log.retention_ms = number("retention.ms", config_.log.retention_ms, -1);
  log.retention_bytes = number("retention.bytes", config_.log.retention_bytes, -1);
  log.max_batch_bytes = number("max.message.bytes", config_.log.max_batch_bytes, int64_t(kBatchHeaderBytes));
  if (log.Validate().ok()) p.log->set_config(log);
  const int32_t min_isr = int32_t(number(kMinInsyncReplicasConfig, config_.min_insync_replicas, 1));
  if (min_isr != p.min_isr) MarkTouched(p);  // what holds the high watermark changed
  p.min_isr = min_isr;
  p.flush_interval_messages = number("flush.messages", config_.flush_interval_messages, 1);
  p.flush_interval_ms = number("flush.ms", config_.flush_interval_ms, 1);
  auto c = configs.find("compression.type");
  const std::string& codec = c != configs.end() ? c->second : config_.compression_type;
  p.recompress_to = codec == "producer" ? std::nullopt : CompressionCodecFromName(codec);
  MarkTimed(p);
}

size_t ReplicaManager::MaximalIsrSize(const Partition& p) const {
  // The distinct ids of isr followed by pending_isr (a handful of ids: quadratic is fine).
  static const std::vector<int32_t> kNone;
  const std::vector<int32_t>& pending = p.pending_isr ? *p.pending_isr : kNone;
  auto at = [&](size_t i) { return i < p.isr.size() ? p.isr[i] : pending[i - p.isr.size()]; };
  size_t total = p.isr.size() + pending.size(), distinct = 0;
  for (size_t i = 0; i < total; ++i) {
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = at(j) == at(i);
    if (!seen) ++distinct;
  }
  return distinct;
}

bool ReplicaManager::HighWatermarkHeld(const Partition& p) {
  return p.isr.size() < std::min(size_t(std::max(p.min_isr, 1)), std::max<size_t>(p.replicas.size(), 1));
}

bool ReplicaManager::MaybeAdvanceHighWatermark(Partition& p) {
  if (p.role != Role::kLeader || HighWatermarkHeld(p)) return false;
  int64_t candidate = AckableEnd(p);
  // Over the maximal ISR (isr plus pending_isr; a repeated id changes neither outcome).
  auto member = [&](int32_t id) {
    if (id == config_.node_id) return true;
    auto it = p.remotes.find(id);
    // A member we know nothing about yet (new leader, or not a replica) holds the HW back.
    if (it == p.remotes.end() || it->second.log_end_offset < 0) return false;
    candidate = std::min(candidate, it->second.log_end_offset);
    return true;
  };
  for (int32_t id : p.isr)
    if (!member(id)) return false;
  if (p.pending_isr) {
    for (int32_t id : *p.pending_isr)
      if (!member(id)) return false;
  }
  if (candidate <= p.high_watermark) return false;
  p.high_watermark = candidate;
  MarkTouched(p);
  return true;
}

void ReplicaManager::MaybeExpandIsr(Partition& p, int32_t follower, int64_t now_ms) {
  if (p.pending_isr || p.alter_wait_for_metadata || p.alter_retry_at_ms > now_ms) return;
  if (Contains(p.isr, follower)) return;
  const RemoteReplica& r = p.remotes[follower];
  if (r.log_end_offset >= p.high_watermark && r.log_end_offset >= p.leader_epoch_start_offset) {
    std::vector<int32_t> isr = p.isr;
    isr.push_back(follower);
    ProposeIsr(p, Sorted(std::move(isr)), now_ms);
  }
}

void ReplicaManager::MaybeShrinkIsr(Partition& p, int64_t now_ms) {
  if (p.role != Role::kLeader || p.pending_isr || p.alter_wait_for_metadata || p.alter_retry_at_ms > now_ms) return;
  int64_t leo = p.log->log_end_offset();
  std::vector<int32_t> keep;
  for (int32_t id : p.isr) {
    if (id == config_.node_id) {
      keep.push_back(id);
      continue;
    }
    auto it = p.remotes.find(id);
    bool in_sync = it != p.remotes.end() && (it->second.log_end_offset == leo ||
                                             now_ms - CaughtUpMs(it->second) <= config_.replica_lag_time_max_ms);
    if (in_sync) keep.push_back(id);
  }
  if (keep.size() != p.isr.size()) ProposeIsr(p, std::move(keep), now_ms);
}

void ReplicaManager::ProposeIsr(Partition& p, std::vector<int32_t> new_isr, int64_t now_ms) {
  (void)now_ms;
  AlterPartitionRequest req;
  req.broker_id = config_.node_id;
  req.broker_epoch = broker_epoch_;
  AlterPartitionRequest::Topic t;
  t.topic_name = p.topic;
  auto at = assignments_.topics.find(p.topic);
  if (at != assignments_.topics.end()) t.topic_id = at->second.id;
  AlterPartitionRequest::Partition part;
  part.partition_index = p.index;
  part.leader_epoch = p.leader_epoch;
  part.new_isr = new_isr;
  for (int32_t id : new_isr) {
    auto e = assignments_.broker_epochs.find(id);
    part.new_isr_with_epochs.push_back({id, e == assignments_.broker_epochs.end() ? -1 : e->second});
  }
  part.leader_recovery_state = 0;
  part.partition_epoch = p.partition_epoch;
  // Name-based v1 unless the metadata gave us topic ids (v2+ identifies topics by id).
  int16_t version = t.topic_id.IsZero() ? 1 : 3;
  t.partitions.push_back(std::move(part));
  req.topics.push_back(std::move(t));

  uint64_t id = next_send_id_++;
  SendRecord record;
  record.kind = SendKind::kAlterPartition;
  record.to = kToController;
  record.partitions.push_back({{p.topic, p.index}, p.generation});
  in_flight_[id] = std::move(record);
  sends_.push_back(ReplicaSend{id, kToController, RequestBody(std::move(req)), version});
  p.pending_isr = std::move(new_isr);
  p.pending_alter_send = id;
  MarkTouched(p);  // the maximal ISR changed
}

EpochEndOffset ReplicaManager::LeaderEndOffsetForEpoch(const Partition& p, int32_t epoch) const {
  const auto& entries = p.log->epoch_entries();
  if (p.role == Role::kLeader && (entries.empty() || entries.back().epoch < p.leader_epoch)) {
    // Kafka records the new epoch at election; our log records it at the first append. Answer as
    // if it had been recorded at the leader epoch start offset.
    LeaderEpochCache cache(entries);
    cache.Assign(p.leader_epoch, p.leader_epoch_start_offset);
    return cache.EndOffsetFor(epoch, p.log->log_end_offset());
  }
  return p.log->EndOffsetForEpoch(epoch);
}

int16_t ReplicaManager::CheckLeaderEpoch(const Partition& p, int32_t current_leader_epoch) const {
  if (current_leader_epoch < 0) return 0;
  if (current_leader_epoch < p.leader_epoch) return Err(ErrorCode::kFencedLeaderEpoch);
  if (current_leader_epoch > p.leader_epoch) return Err(ErrorCode::kUnknownLeaderEpoch);
  return 0;
}

int16_t ReplicaManager::LeaderError(const PartitionKey& key) const {
  return LeaderError(Find(key), key.first, key.second);
}

int16_t ReplicaManager::LeaderError(const Partition* p, const std::string& topic, int32_t partition) const {
  if (p == nullptr) {
    auto t = assignments_.topics.find(topic);
    if (t != assignments_.topics.end() && t->second.partitions.count(partition) > 0)
      return Err(ErrorCode::kNotLeaderOrFollower);
    return Err(ErrorCode::kUnknownTopicOrPartition);
  }
  if (p->role != Role::kLeader) return Err(ErrorCode::kNotLeaderOrFollower);
  if (!p->log->health().ok()) return Err(ErrorCode::kKafkaStorageError);
  return 0;
}

void ReplicaManager::OnPartitionChanged(const PartitionKey& key, int64_t now_ms, bool readers) {
  CompleteParkedProduces(key, now_ms);
  CompleteParkedFetches(key, now_ms, /*hw_moved=*/false, readers);
  CompleteInternalAppends(key);
}

void ReplicaManager::AppendInternal(const std::string& topic, int32_t partition, ByteView records, int64_t now_ms,
                                    AppendDone done) {
  PartitionKey key{topic, partition};
  Partition* p = Find(key);
  int16_t err = LeaderError(p, topic, partition);
  if (err == 0) err = ValidateProducerRecords(records, p->log->config().max_batch_bytes);
  if (err == 0 && int32_t(p->isr.size()) < p->min_isr) err = Err(ErrorCode::kNotEnoughReplicas);
  if (err != 0) return done(err, -1);
  const uint64_t read_version = p->read_version;
  auto info = AppendAsLeader(*p, records, now_ms);
  if (!info.ok()) {
    StatusCode c = info.status().code();
    return done(c == StatusCode::kInvalidArgument || c == StatusCode::kCorruption ? Err(ErrorCode::kCorruptMessage)
                                                                                 : Err(ErrorCode::kKafkaStorageError),
                -1);
  }
  internal_appends_.push_back({key, p->leader_epoch, info->first_offset, info->last_offset + 1, std::move(done)});
  AfterLeaderAppend(*p, key, *info, read_version, now_ms);
}

void ReplicaManager::CompleteInternalAppends(const PartitionKey& key) {
  if (internal_appends_.empty()) return;
  std::vector<std::pair<AppendDone, std::pair<int16_t, int64_t>>> decided;
  std::erase_if(internal_appends_, [&](InternalAppend& a) {
    if (a.key != key) return false;
    const Partition* p = Find(key);
    int16_t err = 0;
    if (p == nullptr || p->role != Role::kLeader || p->leader_epoch != a.leader_epoch) {
      err = Err(ErrorCode::kNotLeaderOrFollower);
    } else if (p->high_watermark < a.required_offset) {
      return false;  // not committed yet
    } else if (int32_t(MaximalIsrSize(*p)) < p->min_isr) {
      err = Err(ErrorCode::kNotEnoughReplicasAfterAppend);
    }
    decided.push_back({std::move(a.done), {err, err == 0 ? a.base_offset : -1}});
    return true;
  });
  // Once the list is consistent: a callback may append again.
  for (auto& [done, result] : decided) done(result.first, result.second);
}

// ---------------------------------------------------------------------------------------------
// Produce

void ReplicaManager::HandleProduce(uint64_t token, const ProduceRequest& request, int16_t version, int64_t now_ms) {
  ParkedProduce pp;
  pp.token = token;
  pp.version = version;
  pp.deadline_ms = now_ms + std::max<int32_t>(0, request.timeout_ms);
  int16_t acks = request.acks;
  bool valid_acks = acks == 0 || acks == 1 || acks == -1;
  bool full = acks == -1 && parked_requests() >= size_t(std::max(0, config_.max_parked_requests));

  pp.response.responses.reserve(request.topic_data.size());
  for (const auto& topic : request.topic_data) {
    ProduceResponse::Topic rt;
    rt.name = topic.name;
    rt.partition_responses.reserve(topic.partition_data.size());
    for (const auto& part : topic.partition_data) {
      ProduceResponse::Partition rp;
      rp.index = part.index;
      rp.base_offset = -1;
      rp.log_append_time_ms = -1;
      rp.log_start_offset = -1;
      PartitionKey key{topic.name, part.index};
      Partition* p = Find(key);
      int16_t err = valid_acks ? LeaderError(p, topic.name, part.index) : Err(ErrorCode::kInvalidRequiredAcks);
      if (err == 0 && full) err = Err(ErrorCode::kRequestTimedOut);
      if (err == 0) {
        err = part.records ? ValidateProducerRecords(*part.records, p->log->config().max_batch_bytes)
                           : Err(ErrorCode::kCorruptMessage);
      }
      // The topic's compression.type, when it names a codec: batches in another are rebuilt in it.
      std::optional<Bytes> recompressed;
      if (err == 0 && p->recompress_to) {
        auto rebuilt = RecompressBatches(*part.records, *p->recompress_to);
        if (!rebuilt.ok()) err = Err(ErrorCode::kCorruptMessage);
        else if (!std::equal(rebuilt->begin(), rebuilt->end(), part.records->begin(), part.records->end()))
          recompressed = std::move(*rebuilt);
      }
      const ByteView records = recompressed ? ByteView(*recompressed) : part.records ? ByteView(*part.records) : ByteView();
      if (err == 0 && acks == -1 && int32_t(p->isr.size()) < p->min_isr)
        err = Err(ErrorCode::kNotEnoughReplicas);
      if (err == 0) {
        const uint64_t read_version = p->read_version;
        auto info = AppendAsLeader(*p, records, now_ms);
        if (!info.ok()) {
          StatusCode c = info.status().code();
          err = (c == StatusCode::kInvalidArgument || c == StatusCode::kCorruption) ? Err(ErrorCode::kCorruptMessage)
                                                                                   : Err(ErrorCode::kKafkaStorageError);
        } else {
          rp.base_offset = info->first_offset;
          rp.log_start_offset = p->log->log_start_offset();
          AfterLeaderAppend(*p, key, *info, read_version, now_ms);
          // acks=1 waits for the flush Kafka would do inside this append, if any.
          bool local_wait = acks == 1 && AckableEnd(*p) <= info->last_offset;
          if (acks == -1 || local_wait) {
            ParkedProduce::Waiter w;
            w.topic_slot = pp.response.responses.size();
            w.partition_slot = rt.partition_responses.size();
            w.key = key;
            w.leader_epoch = p->leader_epoch;
            w.required_offset = info->last_offset + 1;
            w.local = local_wait;
            w.partition = p;
            w.partition_stamp = partition_set_stamp_;
            pp.waiters.push_back(std::move(w));
          }
        }
      }
      rp.error_code = err;
      rt.partition_responses.push_back(std::move(rp));
    }
    pp.response.responses.push_back(std::move(rt));
  }

  if (acks == 0) {
    Reply(token, ResponseBody(std::move(pp.response)), /*send_response=*/false);
    return;
  }
  if (pp.waiters.empty()) {
    Reply(token, ResponseBody(std::move(pp.response)));
    return;
  }
  PartitionKey first_key = pp.waiters.front().key;
  uint64_t seq = next_park_seq_++;
  IndexParkedProduce(seq, pp);
  parked_deadlines_.emplace_back(seq, pp.deadline_ms);
  parked_produces_.emplace(seq, std::move(pp));
  // Completes at once when the HW is already there (a single-replica ISR); the check covers every
  // partition of the request.
  CompleteParkedProduces(first_key, now_ms);
}

void ReplicaManager::IndexParkedProduce(uint64_t seq, const ParkedProduce& pp) {
  for (const auto& w : pp.waiters) {
    std::vector<uint64_t>& seqs = *ParkedOn(w.key, /*create=*/true);
    // Sequences only grow, so each list stays sorted; a partition named twice is listed once.
    if (seqs.empty() || seqs.back() != seq) seqs.push_back(seq);
  }
}

void ReplicaManager::ForgetDeadline(uint64_t seq) {
  auto it = std::find_if(parked_deadlines_.begin(), parked_deadlines_.end(),
                         [&](const std::pair<uint64_t, int64_t>& d) { return d.first == seq; });
  if (it != parked_deadlines_.end()) parked_deadlines_.erase(it);
}

std::map<uint64_t, ReplicaManager::ParkedProduce>::iterator ReplicaManager::EraseParkedProduce(
    std::map<uint64_t, ParkedProduce>::iterator it) {
  ForgetDeadline(it->first);
  for (const auto& w : it->second.waiters) {
    std::vector<uint64_t>* list = ParkedOn(w.key, /*create=*/false);
    if (list == nullptr) continue;
    std::vector<uint64_t>& seqs = *list;
    auto pos = std::lower_bound(seqs.begin(), seqs.end(), it->first);
    if (pos != seqs.end() && *pos == it->first) seqs.erase(pos);
    // An emptied list stays (with its capacity) for the partition's next parked produce.
  }
  return parked_produces_.erase(it);
}

void ReplicaManager::CompleteParkedProduces(const PartitionKey& key, int64_t now_ms) {
  (void)now_ms;
  // The parked produces with a waiter on `key`, in parking order (a copy: finishing one edits
  // the index). Not reentrant: nothing below calls back here.
  const std::vector<uint64_t>* list = ParkedOn(key, /*create=*/false);
  if (list == nullptr || list->empty()) return;
  std::vector<uint64_t>& touching = park_scratch_;
  touching.assign(list->begin(), list->end());
  for (uint64_t seq : touching) {
    auto it = parked_produces_.find(seq);
    if (it == parked_produces_.end()) continue;
    ParkedProduce& pp = it->second;
    bool all_done = true;
    for (auto& w : pp.waiters) {
      if (w.done) continue;
      auto& rp = pp.response.responses[w.topic_slot].partition_responses[w.partition_slot];
      Partition* p = WaiterPartition(w);
      if (p == nullptr || p->role != Role::kLeader) {
        rp.error_code = Err(ErrorCode::kNotLeaderOrFollower);
        w.done = true;
        continue;
      }
      if (w.local) {
        if (AckableEnd(*p) >= w.required_offset) w.done = true;
        else all_done = false;
        continue;
      }
      if (p->high_watermark >= w.required_offset) {
        // Kafka: the write is acknowledged once the HW passes it, unless the ISR has meanwhile
        // shrunk below min.insync.replicas.
        int32_t maximal = int32_t(MaximalIsrSize(*p));
        rp.error_code = maximal >= p->min_isr ? 0 : Err(ErrorCode::kNotEnoughReplicasAfterAppend);
        w.done = true;
        continue;
      }
      if (HighWatermarkHeld(*p)) {
        // The HW cannot pass the write until the ISR grows back: answer now, as Kafka would once
        // the HW passed it (the producer retries).
        rp.error_code = Err(ErrorCode::kNotEnoughReplicasAfterAppend);
        w.done = true;
        continue;
      }
      all_done = false;
    }
    if (all_done) {
      FinishProduce(pp);
      EraseParkedProduce(it);
    }
  }
}

void ReplicaManager::FinishProduce(ParkedProduce& pp) { Reply(pp.token, ResponseBody(std::move(pp.response))); }

// ---------------------------------------------------------------------------------------------
// Fetch (leader side)

ReplicaManager::FetchEval ReplicaManager::EvaluateFetch(const FetchRequest& request, int16_t version,
                                                        const FetchSession* session) const {
  FetchEval ev;
  bool is_replica = request.replica_id >= 0;
  int64_t remaining = version >= 3 ? request.max_bytes : INT32_MAX;
  if (is_replica) remaining = std::min<int64_t>(remaining, config_.replica_fetch_max_bytes);
  bool first_read = true;
  ev.response.responses.reserve(request.topics.size());
  FetchResponse::Topic rt;
  // Looks at one partition of the request, answering it in rt (of topic ti).
  auto visit = [&](uint32_t ti, uint32_t pi) {
    const auto& topic = request.topics[ti];
    const auto& part = topic.partitions[pi];
    // A session answers a partition only with something new (see FetchSession).
    // True when it is answered.
    // quiet_version: the partition's version when the answer has no records for want of any to
    // read (not for want of bytes) and no error: once it is sent, the entry has nothing new at
    // that version, as an evaluation right after it would find.
    auto answer = [&](FetchResponse::Partition&& rp, uint64_t quiet_version) {
      if (session != nullptr) {
        const FetchSession::Sent& sent = session->sent[ti][pi];
        const bool records = rp.records && !rp.records->empty();
        bool news = rp.error_code != 0 || rp.diverging_epoch || records ||
                    rp.high_watermark != sent.high_watermark || rp.log_start_offset != sent.log_start_offset;
        if (!news) return false;
        ev.slots.push_back(FetchEval::Slot{ti, pi, records ? 0 : quiet_version});
      }
      rt.partitions.push_back(std::move(rp));
      return true;
    };
    const Partition* p = session != nullptr ? SessionPartition(session->sent[ti][pi], topic.topic, part.partition)
                                            : Find(topic.topic, part.partition);
    // Nothing new when it had nothing new at this version (see FetchSession::Sent).
    if (session != nullptr && p != nullptr && session->sent[ti][pi].quiet_version == VersionFor(*session, *p)) return;
    FetchResponse::Partition rp;
    rp.partition_index = part.partition;
    rp.high_watermark = -1;
    rp.last_stable_offset = -1;
    rp.log_start_offset = -1;
    rp.records = ByteView();
    // A follower's entry that ServeFetch found valid at this version (leader, epoch, offset
    // within the log, no divergence) still is: only its membership is left to check.
    const bool valid = is_replica && session != nullptr && p != nullptr &&
                       session->sent[ti][pi].valid_version == p->version;
    int16_t err = valid ? 0 : LeaderError(p, topic.topic, part.partition);
    if (err == 0 && !valid) err = CheckLeaderEpoch(*p, part.current_leader_epoch);
    if (err == 0 && is_replica && !Contains(p->replicas, request.replica_id))
      err = Err(ErrorCode::kNotLeaderOrFollower);
    if (err != 0) {
      rp.error_code = err;
      ev.must_answer = true;
      answer(std::move(rp), 0);
      return;
    }
    int64_t leo = p->log->log_end_offset();
    rp.high_watermark = p->high_watermark;
    rp.last_stable_offset = p->high_watermark;
    rp.log_start_offset = p->log->log_start_offset();
    if (!valid && is_replica && version >= 12 && part.last_fetched_epoch >= 0) {
      EpochEndOffset end = LeaderEndOffsetForEpoch(*p, part.last_fetched_epoch);
      if (end.epoch < part.last_fetched_epoch || end.end_offset < part.fetch_offset) {
        rp.diverging_epoch = FetchResponse::EpochEndOffset{end.epoch, end.end_offset};
        ev.must_answer = true;
        answer(std::move(rp), 0);
        return;
      }
    }
    if (!valid && (part.fetch_offset < p->log->log_start_offset() || part.fetch_offset > leo)) {
      rp.error_code = Err(ErrorCode::kOffsetOutOfRange);
      ev.must_answer = true;
      answer(std::move(rp), 0);
      return;
    }
    int64_t limit = is_replica ? leo : p->high_watermark;
    // Left unread for want of bytes: it may have something next time at the same version.
    const bool unread = part.fetch_offset < limit && !(remaining > 0 || first_read);
    if (part.fetch_offset < limit && (remaining > 0 || first_read)) {
      size_t max_bytes = size_t(std::max<int64_t>(0, std::min<int64_t>(part.partition_max_bytes, remaining)));
      auto read = p->log->Read(part.fetch_offset, max_bytes);
      if (!read.ok()) {
        rp.error_code = Err(ErrorCode::kKafkaStorageError);
        ev.must_answer = true;
      } else {
        Bytes data = std::move(read->records);
        // A replica reads up to the log end, which every batch read is below.
        if (!is_replica) data.resize(BytesBelow(data, limit));
        if (!data.empty()) {
          first_read = false;
          remaining -= int64_t(data.size());
          ev.bytes += int64_t(data.size());
          if (ev.buffers.empty()) {
            size_t partitions = 0;
            if (session != nullptr) partitions = session->pending.size();
            else for (const auto& t : request.topics) partitions += t.partitions.size();
            ev.buffers.reserve(partitions);
          }
          ev.buffers.push_back(std::move(data));
          rp.records = ByteView(ev.buffers.back());
        }
      }
    }
    const bool failed = rp.error_code != 0;
    const uint64_t seen = session != nullptr ? VersionFor(*session, *p) : p->version;
    if (!answer(std::move(rp), unread || failed ? 0 : seen) && !unread) session->sent[ti][pi].quiet_version = seen;
  };
  auto start_topic = [&](uint32_t ti) {
    rt = FetchResponse::Topic();
    rt.topic = request.topics[ti].topic;
    rt.topic_id = request.topics[ti].topic_id;
  };
  if (session == nullptr) {
    for (uint32_t ti = 0; ti < request.topics.size(); ++ti) {
      start_topic(ti);
      rt.partitions.reserve(request.topics[ti].partitions.size());
      for (uint32_t pi = 0; pi < request.topics[ti].partitions.size(); ++pi) visit(ti, pi);
      ev.response.responses.push_back(std::move(rt));
    }
  } else {
    // Only the pending entries, in order (PrepareSession): the others have nothing new.
    ev.slots.reserve(session->pending.size());
    size_t i = 0;
    while (i < session->pending.size()) {
      const uint32_t ti = session->pending[i].first;
      size_t end = i;
      while (end < session->pending.size() && session->pending[end].first == ti) ++end;
      start_topic(ti);
      rt.partitions.reserve(end - i);
      for (; i < end; ++i) visit(ti, session->pending[i].second);
      if (!rt.partitions.empty()) ev.response.responses.push_back(std::move(rt));
    }
  }
  if (session != nullptr) ev.response.session_id = session->id;
  return ev;
}

void ReplicaManager::Materialize(Partition& p, RemoteReplica& r) {
  if (r.lazy_session == 0) return;
  auto s = fetch_sessions_.find(r.lazy_session);
  SAMSA_ASSERT_MSG(s != fetch_sessions_.end(), "a follower's state refers to a closed fetch session");
  r.last_caught_up_time_ms = s->second.last_fetch_ms;
  r.last_fetch_time_ms = s->second.last_fetch_ms;
  r.lazy_session = 0;
  // That session's entry of p is no longer settled (Settled asks for a lazy follower); the other
  // sessions' entries still are: their followers' states and p's version did not change.
  FetchSession& session = s->second;
  auto w = std::find_if(p.session_watchers.begin(), p.session_watchers.end(), [&](const SessionWatch& w) {
    return w.session == session.id && w.layout == session.layout;
  });
  if (w == p.session_watchers.end()) return;
  const uint32_t ti = w->topic;
  const uint32_t pi = w->partition;
  p.session_watchers.erase(w);
  session.sent[ti][pi].watching = false;
  MarkPending(session, ti, pi);
}

void ReplicaManager::MarkPending(FetchSession& s, uint32_t ti, uint32_t pi) {
  FetchSession::Sent& sent = s.sent[ti][pi];
  if (sent.pending) return;
  sent.pending = true;
  s.pending.emplace_back(ti, pi);
  if (s.walk_added != nullptr) s.walk_added->emplace_back(ti, pi);
  WatchParked(s, ti, pi);
}

void ReplicaManager::WatchParked(FetchSession& s, uint32_t ti, uint32_t pi) {
  if (s.parked.empty()) return;
  // The high watermark the fetcher was last told. A settled entry's is its partition's (else it
  // would not have settled), and any move of it made the entry pending: so it is the one at
  // parking, which a watch listed at parking records.
  const int64_t hw = s.sent[ti][pi].high_watermark;
  const FetchRequest::Topic& topic = s.request.topics[ti];
  Partition* p = SessionPartition(s.sent[ti][pi], topic.topic, topic.partitions[pi].partition);
  if (p == nullptr) return;
  for (uint64_t seq : s.parked) {
    auto& watchers = p->fetch_watchers;
    auto at = std::lower_bound(watchers.begin(), watchers.end(), seq,
                               [](const std::pair<uint64_t, int64_t>& w, uint64_t v) { return w.first < v; });
    if (at != watchers.end() && at->first == seq) continue;
    watchers.emplace(at, seq, hw);
    auto pf = parked_fetches_.find(seq);
    SAMSA_ASSERT_MSG(pf != parked_fetches_.end(), "a session lists a parked fetch that is gone");
    pf->second.watched.push_back(p);
  }
}

void ReplicaManager::MarkAllPending(FetchSession& s) {
  s.layout = ++session_layouts_;  // what watches the old layout is stale
  s.pending_stamp = partition_set_stamp_;
  s.pending.clear();
  for (uint32_t ti = 0; ti < s.sent.size(); ++ti) {
    for (uint32_t pi = 0; pi < s.sent[ti].size(); ++pi) {
      s.sent[ti][pi].pending = true;
      s.sent[ti][pi].watching = false;
      s.pending.emplace_back(ti, pi);
      WatchParked(s, ti, pi);
    }
  }
}

void ReplicaManager::WakeSessions(Partition& p, bool replicas_only) {
  std::vector<SessionWatch>& watchers = wake_scratch_;
  watchers.swap(p.session_watchers);  // p's list is empty now, and keeps the scratch's capacity
  for (const SessionWatch& w : watchers) {
    if (replicas_only && !w.replica) {
      p.session_watchers.push_back(w);  // still settled (VersionFor)
      continue;
    }
    auto it = fetch_sessions_.find(w.session);
    if (it == fetch_sessions_.end() || it->second.layout != w.layout) continue;  // stale
    FetchSession& s = it->second;
    s.sent[w.topic][w.partition].watching = false;
    MarkPending(s, w.topic, w.partition);
  }
  watchers.clear();
}

bool ReplicaManager::Settled(const FetchSession& s, uint32_t ti, uint32_t pi) const {
  const FetchSession::Sent& sent = s.sent[ti][pi];
  const FetchRequest::Topic& topic = s.request.topics[ti];
  const FetchRequest::Partition& part = topic.partitions[pi];
  const Partition* p = SessionPartition(sent, topic.topic, part.partition);
  if (p == nullptr || sent.quiet_version != VersionFor(s, *p)) return false;
  if (s.replica_id < 0) return true;
  // As ServeFetch's test for a fetch that only renews a steady follower's times.
  auto r = p->remotes.find(s.replica_id);
  return r != p->remotes.end() && r->second.lazy_session == s.id && sent.valid_version == p->version &&
         CaughtUpAndSteady(*p, s.replica_id, r->second, part.fetch_offset);
}

void ReplicaManager::PrepareSession(FetchSession& s) {
  if (s.pending_stamp != partition_set_stamp_) MarkAllPending(s);
  std::sort(s.pending.begin(), s.pending.end());
#ifndef NDEBUG
  for (uint32_t ti = 0; ti < s.sent.size(); ++ti)
    for (uint32_t pi = 0; pi < s.sent[ti].size(); ++pi)
      SAMSA_ASSERT_MSG(s.sent[ti][pi].pending || Settled(s, ti, pi), "a fetch session entry changed unseen");
#endif
}

void ReplicaManager::SettleSession(FetchSession& s) {
  std::erase_if(s.pending, [&](const std::pair<uint32_t, uint32_t>& e) {
    if (!Settled(s, e.first, e.second)) return false;
    FetchSession::Sent& sent = s.sent[e.first][e.second];
    sent.pending = false;
    if (!sent.watching) {
      sent.watching = true;
      std::vector<SessionWatch>& watchers = sent.partition->session_watchers;
      // Closed sessions and old layouts leave stale watchers until the partition next changes;
      // on a partition that stays quiet, drop them as the list doubles.
      if (watchers.size() >= 8 && (watchers.size() & (watchers.size() - 1)) == 0) {
        std::erase_if(watchers, [&](const SessionWatch& w) {
          auto it = fetch_sessions_.find(w.session);
          return it == fetch_sessions_.end() || it->second.layout != w.layout;
        });
      }
      watchers.push_back(SessionWatch{s.id, s.layout, e.first, e.second, s.replica_id >= 0});
    }
    return true;
  });
}

template <typename Visit>
void ReplicaManager::WalkPending(FetchSession& s, Visit&& visit) {
  // The walk keeps its own list: a nested evaluation of the same session (a parked fetch of it
  // completed by this one's effects) may sort or settle s.pending meanwhile.
  std::vector<std::pair<uint32_t, uint32_t>> work = s.pending;  // sorted (PrepareSession)
  std::vector<std::pair<uint32_t, uint32_t>> added;
  s.walk_added = &added;
  for (size_t i = 0; i < work.size(); ++i) {
    const std::pair<uint32_t, uint32_t> at = work[i];
    visit(at.first, at.second);
    for (const auto& e : added) {
      if (e <= at) continue;  // behind: the next walk's
      auto pos = std::lower_bound(work.begin() + int64_t(i) + 1, work.end(), e);
      if (pos == work.end() || *pos != e) work.insert(pos, e);
    }
    added.clear();
  }
  s.walk_added = nullptr;
}

int64_t ReplicaManager::CaughtUpMs(const RemoteReplica& r) const {
  if (r.lazy_session == 0) return r.last_caught_up_time_ms;
  auto s = fetch_sessions_.find(r.lazy_session);
  SAMSA_ASSERT_MSG(s != fetch_sessions_.end(), "a follower's state refers to a closed fetch session");
  return s->second.last_fetch_ms;
}

bool ReplicaManager::CaughtUpAndSteady(const Partition& p, int32_t follower, const RemoteReplica& r,
                                       int64_t fetch_offset) {
  const int64_t leo = p.log->log_end_offset();
  return r.log_end_offset == fetch_offset && fetch_offset >= leo && r.last_fetch_leader_leo == leo &&
         Contains(p.isr, follower);
}

void ReplicaManager::MaybeGoLazy(Partition& p, int32_t follower, int64_t fetch_offset, const FetchSession& session) {
  // After an eager update at this fetch: from the session's next fetch on, while nothing changes
  // (the same version, caught up, in the ISR), the fetches renew the times lazily.
  auto r = p.remotes.find(follower);
  if (r == p.remotes.end() || r->second.lazy_session != 0) return;
  if (CaughtUpAndSteady(p, follower, r->second, fetch_offset)) r->second.lazy_session = session.id;
}

void ReplicaManager::ReleaseFetchSession(FetchSession& s, size_t ti, size_t pi) {
  const FetchRequest::Topic& topic = s.request.topics[ti];
  Partition* p = SessionPartition(s.sent[ti][pi], topic.topic, topic.partitions[pi].partition);
  if (p == nullptr) return;
  auto r = p->remotes.find(s.replica_id);
  if (r != p->remotes.end() && r->second.lazy_session == s.id) Materialize(*p, r->second);
}

void ReplicaManager::CloseFetchSession(std::map<int32_t, FetchSession>::iterator it) {
  FetchSession& s = it->second;
  for (size_t ti = 0; ti < s.request.topics.size(); ++ti) {
    for (size_t pi = 0; pi < s.request.topics[ti].partitions.size(); ++pi) {
      // A fetch still parked on s is answered (FETCH_SESSION_ID_NOT_FOUND) when any partition of
      // s next changes: each lists it now, since s no longer wakes.
      WatchParked(s, uint32_t(ti), uint32_t(pi));
      ReleaseFetchSession(s, ti, pi);
    }
  }
  fetch_sessions_.erase(it);
}

ReplicaManager::Partition* ReplicaManager::Refind(Partition*& cached, uint64_t& stamp, const std::string& topic,
                                                  int32_t partition) const {
  if (stamp != partition_set_stamp_) {
    cached = const_cast<Partition*>(Find(topic, partition));
    stamp = partition_set_stamp_;
  }
  return cached;
}

ReplicaManager::Partition* ReplicaManager::SessionPartition(const FetchSession::Sent& sent, const std::string& topic,
                                                            int32_t partition) const {
  return Refind(sent.partition, sent.partition_stamp, topic, partition);
}

ReplicaManager::Partition* ReplicaManager::WaiterPartition(ParkedProduce::Waiter& w) {
  return Refind(w.partition, w.partition_stamp, w.key.first, w.key.second);
}

ReplicaManager::FetchEval ReplicaManager::EvaluateParked(const ParkedFetch& pf) {
  if (pf.session_id == 0) return EvaluateFetch(pf.request, pf.version);
  auto s = fetch_sessions_.find(pf.session_id);
  if (s != fetch_sessions_.end()) {
    PrepareSession(s->second);
    FetchEval ev = EvaluateFetch(s->second.request, pf.version, &s->second);
    SettleSession(s->second);
    return ev;
  }
  FetchEval ev;  // closed (a new session replaced it) while the fetch waited
  ev.response.error_code = Err(ErrorCode::kFetchSessionIdNotFound);
  ev.must_answer = true;
  return ev;
}

void ReplicaManager::NoteAnswered(FetchSession& session, const std::vector<FetchEval::Slot>& slots,
                                  FetchResponse& response) {
  size_t i = 0;
  for (const auto& t : response.responses) {
    for (const auto& rp : t.partitions) {
      const FetchEval::Slot& slot = slots[i++];
      FetchSession::Sent& sent = session.sent[slot.topic][slot.partition];
      // The request did not change: the entry stays valid and keeps its partition.
      sent.high_watermark = rp.high_watermark;
      sent.log_start_offset = rp.log_start_offset;
      sent.quiet_version = slot.quiet_version;
    }
  }
}

ReplicaManager::FetchSession* ReplicaManager::NewFetchSession(const FetchRequest& request, int64_t now_ms) {
  if (fetch_sessions_.size() >= kMaxFetchSessions) {
    auto lru = std::min_element(fetch_sessions_.begin(), fetch_sessions_.end(), [](const auto& a, const auto& b) {
      return a.second.last_used_ms < b.second.last_used_ms;
    });
    if (now_ms - lru->second.last_used_ms < kFetchSessionEvictionMs) return nullptr;
    CloseFetchSession(lru);
  }
  // Ids differ across this broker's incarnations (its broker epoch), so a fetcher holding an id of
  // a previous one is told FETCH_SESSION_ID_NOT_FOUND rather than joining another's session.
  int32_t id = 0;
  while (id == 0 || fetch_sessions_.count(id) != 0) {
    uint64_t mixed = (uint64_t(broker_epoch_) * 0x9E3779B97F4A7C15ull) ^ (++fetch_sessions_created_ * 0xBF58476D1CE4E5B9ull);
    id = int32_t((mixed >> 33) & 0x7fffffff);
  }
  FetchSession& s = fetch_sessions_[id];
  s.id = id;
  s.replica_id = request.replica_id;
  s.last_used_ms = now_ms;
  UpdateFetchSession(s, request);
  return &s;
}

size_t ReplicaManager::SessionSlot(const FetchSession& s, size_t t, int32_t partition) {
  const size_t slot = s.slot_of[t].Find(partition);
  return slot == PartitionSlots::kNone ? s.request.topics[t].partitions.size() : slot;
}

void ReplicaManager::IndexSession(FetchSession& s) {
  s.slot_of.assign(s.request.topics.size(), {});
  for (size_t t = 0; t < s.request.topics.size(); ++t) {
    const std::vector<FetchRequest::Partition>& parts = s.request.topics[t].partitions;
    for (size_t i = 0; i < parts.size(); ++i) s.slot_of[t].Set(parts[i].partition, uint32_t(i), parts.size());
  }
}

void ReplicaManager::UpdateFetchSession(FetchSession& s, const FetchRequest& request) {
  auto find_topic = [&](const std::string& name) -> size_t {
    for (size_t t = 0; t < s.request.topics.size(); ++t)
      if (s.request.topics[t].topic == name) return t;
    return s.request.topics.size();
  };
  // Removing entries moves the indexes of others: what watches them goes stale at once, and every
  // entry is pending afterwards.
  const bool forgets = !request.forgotten_topics_data.empty();
  if (forgets) s.layout = ++session_layouts_;
  for (const auto& forgotten : request.forgotten_topics_data) {
    size_t t = find_topic(forgotten.topic);
    if (t == s.request.topics.size()) continue;
    auto& parts = s.request.topics[t].partitions;
    for (int32_t index : forgotten.partitions) {
      for (size_t i = 0; i < parts.size(); ++i) {
        if (parts[i].partition != index) continue;
        ReleaseFetchSession(s, t, i);
        parts.erase(parts.begin() + ptrdiff_t(i));
        s.sent[t].erase(s.sent[t].begin() + ptrdiff_t(i));
        break;
      }
    }
    if (parts.empty()) {
      s.request.topics.erase(s.request.topics.begin() + ptrdiff_t(t));
      s.sent.erase(s.sent.begin() + ptrdiff_t(t));
    }
  }
  if (forgets) IndexSession(s);
  for (const auto& topic : request.topics) {
    size_t t = find_topic(topic.topic);
    if (t == s.request.topics.size()) {
      FetchRequest::Topic added;
      added.topic = topic.topic;
      added.topic_id = topic.topic_id;
      s.request.topics.push_back(std::move(added));
      s.sent.emplace_back();
      s.slot_of.emplace_back();
    }
    auto& parts = s.request.topics[t].partitions;
    for (const auto& part : topic.partitions) {
      size_t i = SessionSlot(s, t, part.partition);
      // A new entry is answered in full; an entry listed again keeps what the last answer said
      // (as Kafka's CachedPartition keeps its high watermark and log start), so it is answered
      // only with something new at its new fetch state.
      if (i == parts.size()) {
        parts.push_back(part);
        s.sent[t].emplace_back();
        s.slot_of[t].Set(part.partition, uint32_t(i), parts.size());
      } else {
        parts[i] = part;
        FetchSession::Sent& sent = s.sent[t][i];
        // Its fetch state changed: whether it is valid and has something new is to be found again.
        sent.valid_version = 0;
        sent.quiet_version = 0;
      }
      MarkPending(s, uint32_t(t), uint32_t(i));
    }
  }
  if (forgets) MarkAllPending(s);
  s.request.replica_id = request.replica_id;
  s.request.max_wait_ms = request.max_wait_ms;
  s.request.min_bytes = request.min_bytes;
  s.request.max_bytes = request.max_bytes;
  s.request.isolation_level = request.isolation_level;
}

void ReplicaManager::UpdateFollowerFetchState(Partition& p, int32_t follower, int64_t fetch_offset, int64_t now_ms) {
  auto it = p.remotes.find(follower);
  if (it == p.remotes.end()) return;
  RemoteReplica& r = it->second;
  Materialize(p, r);
  int64_t leo = p.log->log_end_offset();
  // Kafka's lastCaughtUpTimeMs: caught up now, or caught up to where the leader was at the
  // previous fetch.
  if (fetch_offset >= leo) {
    r.last_caught_up_time_ms = now_ms;
  } else if (r.last_fetch_leader_leo >= 0 && fetch_offset >= r.last_fetch_leader_leo) {
    r.last_caught_up_time_ms = std::max(r.last_caught_up_time_ms, r.last_fetch_time_ms);
  }
  r.last_fetch_leader_leo = leo;
  r.last_fetch_time_ms = now_ms;
  r.log_end_offset = fetch_offset;
  MaybeExpandIsr(p, follower, now_ms);
  if (MaybeAdvanceHighWatermark(p)) {
    PartitionKey key{p.topic, p.index};
    CompleteParkedProduces(key, now_ms);
    CompleteParkedFetches(key, now_ms, /*hw_moved=*/true);
    CompleteInternalAppends(key);
  }
}

void ReplicaManager::HandleFetch(uint64_t token, const FetchRequest& request, int16_t version, int64_t now_ms) {
  const bool sessionless = version < 7 || (request.session_id == 0 && request.session_epoch < 0);
  if (sessionless) return ServeFetch(token, request, version, nullptr, now_ms);
  auto close = [&](int32_t id) {
    auto it = fetch_sessions_.find(id);
    if (it != fetch_sessions_.end() && it->second.replica_id == request.replica_id) CloseFetchSession(it);
  };
  FetchSession* session = nullptr;
  if (request.session_epoch < 0) {
    close(request.session_id);  // epoch -1: close it and fetch without one
    return ServeFetch(token, request, version, nullptr, now_ms);
  }
  if (request.session_epoch == 0) {
    if (request.session_id != 0) close(request.session_id);
    session = NewFetchSession(request, now_ms);
    if (session == nullptr) return ServeFetch(token, request, version, nullptr, now_ms);  // cache full
  } else {
    auto it = fetch_sessions_.find(request.session_id);
    int16_t err = 0;
    if (it == fetch_sessions_.end() || it->second.replica_id != request.replica_id) {
      err = Err(ErrorCode::kFetchSessionIdNotFound);
    } else if (it->second.next_epoch != request.session_epoch) {
      err = Err(ErrorCode::kInvalidFetchSessionEpoch);
    }
    if (err != 0) {
      FetchResponse r;
      r.error_code = err;
      return Reply(token, ResponseBody(std::move(r)));
    }
    session = &it->second;
    UpdateFetchSession(*session, request);
    session->next_epoch = NextFetchSessionEpoch(session->next_epoch);
  }
  session->last_used_ms = now_ms;
  ServeFetch(token, session->request, version, session, now_ms);
}

void ReplicaManager::ServeFetch(uint64_t token, const FetchRequest& request, int16_t version, FetchSession* session,
                                int64_t now_ms) {
  bool is_replica = request.replica_id >= 0;
  if (session != nullptr) PrepareSession(*session);
  if (is_replica) {
    // Each partition of the fetch (of a session: each pending entry) takes the follower's fetch state.
    auto take = [&](uint32_t ti, uint32_t pi) {
      const auto& topic = request.topics[ti];
      const auto& part = topic.partitions[pi];
      // A session's partition found valid at this version still is (FetchSession::Sent).
      const FetchSession::Sent* sent = session != nullptr ? &session->sent[ti][pi] : nullptr;
      Partition* found = sent != nullptr ? SessionPartition(*sent, topic.topic, part.partition)
                                         : Find(topic.topic, part.partition);
      if (found == nullptr) return;
      Partition& p = *found;
      if (sent != nullptr) {
        auto r = p.remotes.find(request.replica_id);
        if (r != p.remotes.end() && r->second.lazy_session == session->id) {
          // Steady since the session's last fetch: nothing changed, the follower is caught up and
          // in the ISR, so this fetch only renews its fetch and caught-up times, which it does
          // lazily (RemoteReplica::lazy_session) at no cost per partition.
          if (sent->valid_version == p.version && sent->quiet_version == p.version &&
              CaughtUpAndSteady(p, request.replica_id, r->second, part.fetch_offset))
            return;
          Materialize(p, r->second);  // as of the session's previous fetch
        }
      }
      if (sent == nullptr || sent->valid_version != p.version) {
        if (LeaderError(found, topic.topic, part.partition) != 0) return;
        if (CheckLeaderEpoch(p, part.current_leader_epoch) != 0) return;
        if (part.fetch_offset < p.log->log_start_offset() || part.fetch_offset > p.log->log_end_offset()) return;
        if (version >= 12 && part.last_fetched_epoch >= 0) {
          EpochEndOffset end = LeaderEndOffsetForEpoch(p, part.last_fetched_epoch);
          if (end.epoch < part.last_fetched_epoch || end.end_offset < part.fetch_offset) return;
        }
        if (sent != nullptr) sent->valid_version = p.version;
      }
      UpdateFollowerFetchState(p, request.replica_id, part.fetch_offset, now_ms);
      if (sent != nullptr) MaybeGoLazy(p, request.replica_id, part.fetch_offset, *session);
    };
    if (session != nullptr) {
      WalkPending(*session, take);
      session->last_fetch_ms = now_ms;
    } else {
      for (uint32_t ti = 0; ti < request.topics.size(); ++ti)
        for (uint32_t pi = 0; pi < request.topics[ti].partitions.size(); ++pi) take(ti, pi);
    }
  }
  if (session != nullptr) std::sort(session->pending.begin(), session->pending.end());
  FetchEval ev = EvaluateFetch(request, version, session);
  if (session != nullptr) SettleSession(*session);
  bool full = parked_requests() >= size_t(std::max(0, config_.max_parked_requests));
  if (ev.must_answer || ev.bytes >= request.min_bytes || request.max_wait_ms <= 0 || full) {
    if (session != nullptr) NoteAnswered(*session, ev.slots, ev.response);
    Reply(token, ResponseBody(std::move(ev.response)), true, std::move(ev.buffers));
    return;
  }
  ParkedFetch pf;
  pf.token = token;
  pf.version = version;
  pf.deadline_ms = now_ms + request.max_wait_ms;
  pf.min_bytes = request.min_bytes;
  pf.replica_id = request.replica_id;
  if (session != nullptr) pf.session_id = session->id;
  else pf.request = request;
  uint64_t seq = next_park_seq_++;
  // Every partition of the request is led here (else the fetch was answered at once).
  parked_deadlines_.emplace_back(seq, pf.deadline_ms);
  ParkedFetch& parked = parked_fetches_.emplace(seq, std::move(pf)).first->second;
  if (session != nullptr) {
    // Of a session, the pending entries' partitions list the fetch now; the settled ones' when
    // they are pending again (FetchSession::parked).
    session->parked.push_back(seq);
    for (const auto& [ti, pi] : session->pending) WatchParked(*session, ti, pi);
    return;
  }
  // Each partition lists the fetch once, with its high watermark now.
  for (const auto& topic : request.topics) {
    for (const auto& part : topic.partitions) {
      Partition* p = Find(topic.topic, part.partition);
      if (p == nullptr || (!p->fetch_watchers.empty() && p->fetch_watchers.back().first == seq)) continue;
      p->fetch_watchers.emplace_back(seq, p->high_watermark);
      parked.watched.push_back(p);
    }
  }
}

void ReplicaManager::AnswerParkedFetch(std::map<uint64_t, ParkedFetch>::iterator it, FetchEval ev) {
  ParkedFetch& pf = it->second;
  if (auto s = fetch_sessions_.find(pf.session_id); pf.session_id != 0 && s != fetch_sessions_.end()) {
    NoteAnswered(s->second, ev.slots, ev.response);
    std::erase(s->second.parked, it->first);
  }
  Reply(pf.token, ResponseBody(std::move(ev.response)), true, std::move(ev.buffers));
  for (Partition* p : pf.watched) std::erase_if(p->fetch_watchers, [&](const auto& w) { return w.first == it->first; });
  ForgetDeadline(it->first);
  parked_fetches_.erase(it);
}

#ifndef NDEBUG
void ReplicaManager::CheckParkedWatches(uint64_t seq, const ParkedFetch& pf) const {
  auto si = fetch_sessions_.find(pf.session_id);
  if (pf.session_id == 0 || si == fetch_sessions_.end()) return;
  const FetchSession& s = si->second;
  if (s.pending_stamp != partition_set_stamp_) return;  // every entry is pending at the next evaluation
  for (uint32_t ti = 0; ti < s.sent.size(); ++ti) {
    const FetchRequest::Topic& topic = s.request.topics[ti];
    for (uint32_t pi = 0; pi < s.sent[ti].size(); ++pi) {
      const FetchSession::Sent& sent = s.sent[ti][pi];
      const Partition* p = SessionPartition(sent, topic.topic, topic.partitions[pi].partition);
      if (p == nullptr) continue;
      const bool lists = std::any_of(p->fetch_watchers.begin(), p->fetch_watchers.end(),
                                     [&](const auto& w) { return w.first == seq; });
      SAMSA_ASSERT_MSG(sent.pending ? lists : sent.watching, "a parked session fetch misses a change of its partition");
    }
  }
}
#endif

void ReplicaManager::CompleteParkedFetches(const PartitionKey& key, int64_t now_ms, bool hw_moved, bool readers) {
  (void)now_ms;
  const Partition* p = Find(key);
  if (p == nullptr || p->fetch_watchers.empty()) return;
  // In parking order; answering one changes p's list, so walk a copy.
  std::vector<std::pair<uint64_t, int64_t>> watchers = p->fetch_watchers;
  for (const auto& [seq, hw_at_park] : watchers) {
    auto it = parked_fetches_.find(seq);
    if (it == parked_fetches_.end()) continue;
    ParkedFetch& pf = it->second;
#ifndef NDEBUG
    CheckParkedWatches(seq, pf);
#endif
    // A consumer's fetch reads below the high watermark: what it would find is what it found when
    // it parked or was last looked at (every change it can see comes here with readers), unless
    // its session closed meanwhile (it is answered so at the next change).
    if (!readers && pf.replica_id < 0 && (pf.session_id == 0 || fetch_sessions_.count(pf.session_id) != 0)) continue;
    ++parked_fetch_evaluations_;
    FetchEval ev = EvaluateParked(pf);
    bool done = ev.must_answer || ev.bytes >= pf.min_bytes;
    // Followers learn the HW from fetch answers; release a parked replica fetch when it moved.
    if (!done && hw_moved && pf.replica_id >= 0) done = p->high_watermark != hw_at_park;
    if (done) AnswerParkedFetch(it, std::move(ev));
  }
}

// ---------------------------------------------------------------------------------------------
// ListOffsets, OffsetForLeaderEpoch

void ReplicaManager::HandleListOffsets(uint64_t token, const ListOffsetsRequest& request, int16_t version,
                                       int64_t now_ms) {
  (void)now_ms;
  ListOffsetsResponse resp;
  bool consumer = request.replica_id < 0;
  for (const auto& topic : request.topics) {
    ListOffsetsResponse::Topic rt;
    rt.name = topic.name;
    for (const auto& part : topic.partitions) {
      ListOffsetsResponse::Partition rp;
      rp.partition_index = part.partition_index;
      PartitionKey key{topic.name, part.partition_index};
      int16_t err = LeaderError(key);
      const Partition* p = Find(key);
      if (err == 0 && version >= 4) err = CheckLeaderEpoch(*p, part.current_leader_epoch);
      if (err == 0) {
        int64_t limit = consumer ? p->high_watermark : p->log->log_end_offset();
        std::optional<TimestampOffset> found;
        if (part.timestamp == kListOffsetsEarliestTimestamp) {
          found = TimestampOffset{-1, p->log->log_start_offset()};
        } else if (part.timestamp == kListOffsetsLatestTimestamp) {
          found = TimestampOffset{-1, limit};
        } else if (part.timestamp < 0) {
          err = Err(ErrorCode::kUnsupportedVersion);  // -3 (max timestamp) is not served yet
        } else {
          auto r = p->log->OffsetForTimestamp(part.timestamp);
          if (!r.ok()) {
            err = Err(ErrorCode::kKafkaStorageError);
          } else if (r->has_value() && (*r)->offset < limit) {
            found = **r;
          }
        }
        if (err == 0) {
          rp.timestamp = found ? found->timestamp : -1;
          rp.offset = found ? found->offset : -1;
          if (found) {
            LeaderEpochCache cache(p->log->epoch_entries());
            rp.leader_epoch = cache.EpochForOffset(found->offset);
            if (rp.leader_epoch < 0 && !cache.empty()) rp.leader_epoch = cache.latest()->epoch;
          }
          if (version == 0 && found) rp.old_style_offsets.push_back(found->offset);
        }
      }
      rp.error_code = err;
      rt.partitions.push_back(std::move(rp));
    }
    resp.topics.push_back(std::move(rt));
  }
  Reply(token, ResponseBody(std::move(resp)));
}

void ReplicaManager::HandleOffsetForLeaderEpoch(uint64_t token, const OffsetForLeaderEpochRequest& request,
                                                int16_t version, int64_t now_ms) {
  (void)now_ms;
  OffsetForLeaderEpochResponse resp;
  for (const auto& topic : request.topics) {
    OffsetForLeaderEpochResponse::Topic rt;
    rt.topic = topic.topic;
    for (const auto& part : topic.partitions) {
      OffsetForLeaderEpochResponse::Partition rp;
      rp.partition = part.partition;
      PartitionKey key{topic.topic, part.partition};
      int16_t err = LeaderError(key);
      const Partition* p = Find(key);
      if (err == 0 && version >= 2) err = CheckLeaderEpoch(*p, part.current_leader_epoch);
      if (err == 0) {
        EpochEndOffset end = LeaderEndOffsetForEpoch(*p, part.leader_epoch);
        rp.leader_epoch = end.epoch;
        rp.end_offset = end.end_offset;
      }
      rp.error_code = err;
      rt.partitions.push_back(std::move(rp));
    }
    resp.topics.push_back(std::move(rt));
  }
  Reply(token, ResponseBody(std::move(resp)));
}

// ---------------------------------------------------------------------------------------------
// Follower side

void ReplicaManager::PumpFetchers(int64_t now_ms) {
  for (auto& [id, link] : links_) {
    if (link.fetch_backoff_until_ms != 0 && link.fetch_backoff_until_ms <= now_ms) link.fetch_backoff_until_ms = 0;
    if (link.epoch_backoff_until_ms != 0 && link.epoch_backoff_until_ms <= now_ms) link.epoch_backoff_until_ms = 0;
  }
  // Ready partitions: those to truncate grouped by leader (ascending), each group in partition
  // order; those to fetch join their leader's fetch.
  std::vector<std::pair<int32_t, Partition*>>& fetching = ready_fetching_;
  std::vector<std::pair<int32_t, Partition*>>& truncating = ready_truncating_;
  fetching.clear();
  truncating.clear();
  // Only the partitions that may have become ready are looked at (MarkPump), and those whose
  // backoff ended; a ready one stays listed until a request carries it.
  for (Partition* p : timed_)
    if (p->role == Role::kFollower && p->retry_at_ms != 0 && p->retry_at_ms <= now_ms) MarkPump(*p);
  std::sort(pump_.begin(), pump_.end(), [](const Partition* a, const Partition* b) {
    return KeyOrder(a, b);
  });
  std::erase_if(pump_, [&](Partition* partition) {
    Partition& p = *partition;
    if (p.role != Role::kFollower || p.leader_id < 0 || p.in_flight) return p.pump = false, true;
    if (p.retry_at_ms > now_ms) return p.pump = false, true;
    p.retry_at_ms = 0;
    if (!p.log->health().ok()) return p.pump = false, true;
    // The next fetch's offset tells the leader what we hold: not before the flush of the last
    // append, nor before a truncation is durable (see "Durability" in the header).
    if (!p.flush_barriers.empty() || p.log->unsynced_truncation() != kNoUnsyncedTruncation) return p.pump = false, true;
    if (p.phase == FollowerPhase::kFetching) fetching.emplace_back(p.leader_id, &p);
    else if (p.phase == FollowerPhase::kTruncating) truncating.emplace_back(p.leader_id, &p);
    else return p.pump = false, true;
    return false;
  });
#ifndef NDEBUG
  // What a scan of every partition finds ready must be what the list found.
  size_t ready = 0;
  for (auto& [key, p] : partitions_) {
    if (p.role != Role::kFollower || p.leader_id < 0 || p.in_flight || p.retry_at_ms > now_ms) continue;
    if (!p.log->health().ok() || !p.flush_barriers.empty() || p.log->unsynced_truncation() != kNoUnsyncedTruncation) continue;
    if (p.phase != FollowerPhase::kFetching && p.phase != FollowerPhase::kTruncating) continue;
    SAMSA_ASSERT_MSG(p.pump, "a ready follower partition missing from pump_");
    ++ready;
  }
  SAMSA_ASSERT(ready == fetching.size() + truncating.size());
#endif
  std::stable_sort(truncating.begin(), truncating.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  ForEachGroup(truncating, [&](int32_t leader, std::span<const std::pair<int32_t, Partition*>> ps) {
    LeaderLink& link = links_[leader];
    if (link.epoch_in_flight != 0 || link.epoch_backoff_until_ms != 0) return;
    OffsetForLeaderEpochRequest req;
    req.replica_id = config_.node_id;
    SendRecord record;
    record.kind = SendKind::kOffsetForLeaderEpoch;
    record.to = leader;
    for (auto [_, p] : ps) {
      if (req.topics.empty() || req.topics.back().topic != p->topic) req.topics.push_back({p->topic, {}});
      OffsetForLeaderEpochRequest::Partition part;
      part.partition = p->index;
      part.current_leader_epoch = p->leader_epoch;
      part.leader_epoch = p->log->latest_epoch().value_or(kUndefinedEpoch);
      req.topics.back().partitions.push_back(part);
      record.partitions.push_back({{p->topic, p->index}, p->generation});
      p->in_flight = true;
    }
    uint64_t id = next_send_id_++;
    link.epoch_in_flight = id;
    in_flight_[id] = std::move(record);
    sends_.push_back(ReplicaSend{id, leader, RequestBody(std::move(req)), 4});
  });
  // Ready partitions join their leader's fetch, where they stay until an answer settles them;
  // each leader with partitions to fetch and no fetch in flight gets one.
  for (auto [leader, p] : fetching) JoinFetch(*p, leader);
  for (auto& [leader, link] : links_) {
    if (link.members == 0 || link.fetch_in_flight != 0 || link.fetch_backoff_until_ms != 0) continue;
    SendFetch(leader, link);
  }
}

void ReplicaManager::JoinFetch(Partition& p, int32_t leader) {
  LeaderLink& link = links_[leader];
  ++link.members;
  link.dirty.push_back(&p);
  p.fetch_link = leader;
  p.in_flight = true;
}

void ReplicaManager::LeaveFetch(Partition& p) {
  if (p.fetch_link < 0) return;
  LeaderLink& link = links_[p.fetch_link];
  --link.members;
  link.dirty.push_back(&p);
  p.fetch_link = -1;
  p.in_flight = false;
  MarkPump(p);
}

std::vector<ReplicaManager::Partition*> ReplicaManager::MembersOf(int32_t leader) {
  std::vector<Partition*> out;
  for (auto& [key, p] : partitions_)
    if (p.fetch_link == leader) out.push_back(&p);
  SAMSA_ASSERT(out.size() == links_[leader].members);
  return out;
}

bool ReplicaManager::HeldBy(const Partition& p, int32_t leader) const {
  auto link = links_.find(leader);
  return p.held_link == leader && link != links_.end() && link->second.session_generation == p.held_generation;
}

void ReplicaManager::SendFetch(int32_t leader, LeaderLink& link) {
  FetchRequest req;
  req.replica_id = config_.node_id;
  req.max_wait_ms = int32_t(std::min<int64_t>(config_.replica_fetch_wait_max_ms, INT32_MAX));
  req.min_bytes = config_.replica_fetch_min_bytes;
  req.max_bytes = config_.replica_fetch_max_bytes;
  req.isolation_level = 0;
  // The fetch session with this leader (see FetchSession): a new one (epoch 0) carries every
  // member; a later fetch only the members that joined or whose fetch state changed (dirty), and
  // forgets those that left, so the leader's session always holds exactly the members.
  const bool whole = link.session.epoch == 0;
  req.session_id = link.session.id;
  req.session_epoch = link.session.epoch;
  if (whole) {
    ++link.session_generation;  // the new session holds nothing yet
    link.orphans.clear();
  }
  auto forget = [&](const std::string& topic, int32_t index) {
    if (req.forgotten_topics_data.empty() || req.forgotten_topics_data.back().topic != topic)
      req.forgotten_topics_data.push_back({topic, {}, {}});
    req.forgotten_topics_data.back().partitions.push_back(index);
  };
  auto list = [&](Partition& p) {
    const bool held = HeldBy(p, leader);
    // Unchanged since the session took it (the partition's version is the same): not sent.
    if (held && p.held.version == p.version) return;
    FetchRequest::Partition part;
    part.partition = p.index;
    part.current_leader_epoch = p.leader_epoch;
    part.fetch_offset = p.log->log_end_offset();
    part.last_fetched_epoch = p.log->latest_epoch().value_or(kUndefinedEpoch);
    part.log_start_offset = p.log->log_start_offset();
    part.partition_max_bytes = config_.replica_fetch_max_bytes;
    if (held) {
      const bool same = p.held.part == part;
      p.held = Partition::Held{part, p.version};
      if (same) return;
    } else {
      // Held by another leader's session until it forgets it there.
      if (p.held_link >= 0 && HeldBy(p, p.held_link)) links_[p.held_link].orphans.push_back({p.topic, p.index});
      p.held_link = leader;
      p.held_generation = link.session_generation;
      p.held = Partition::Held{part, p.version};
    }
    if (req.topics.empty() || req.topics.back().topic != p.topic) {
      FetchRequest::Topic t;
      t.topic = p.topic;
      req.topics.push_back(std::move(t));
    }
    req.topics.back().partitions.push_back(part);
  };
  if (whole) {
    for (Partition* p : MembersOf(leader)) list(*p);
  } else {
    // In key order, each once: members that joined or changed are listed; what the session holds
    // of partitions no longer members is forgotten, as are the orphans (deleted, or now held by
    // another leader's session) unless held here again.
    // p is the live partition of the key, or nullptr.
    auto visit = [&](Partition* p, const PartitionKey* key) {
      if (p != nullptr && p->fetch_link == leader) {
        list(*p);
      } else if (p != nullptr && HeldBy(*p, leader)) {
        p->held_link = -1;
        forget(p->topic, p->index);
      } else if (key != nullptr && std::binary_search(link.orphans.begin(), link.orphans.end(), *key, KeyLess())) {
        forget(key->first, key->second);
      }
    };
    if (link.orphans.empty()) {
      // Usually: live partitions only, ordered without comparing names (KeyOrder).
      std::sort(link.dirty.begin(), link.dirty.end(),
                [](const Partition* a, const Partition* b) { return KeyOrder(a, b); });
      link.dirty.erase(std::unique(link.dirty.begin(), link.dirty.end()), link.dirty.end());
      for (Partition* p : link.dirty) visit(p, nullptr);
    } else {
      std::sort(link.orphans.begin(), link.orphans.end(), KeyLess());
      std::vector<PartitionKey> keys = link.orphans;
      for (const Partition* p : link.dirty) keys.emplace_back(p->topic, p->index);
      std::sort(keys.begin(), keys.end(), KeyLess());
      keys.erase(std::unique(keys.begin(), keys.end(), SameKey), keys.end());
      for (const PartitionKey& key : keys) visit(Find(key), &key);
    }
  }
  link.dirty.clear();
  link.orphans.clear();
  SendRecord record;
  record.kind = SendKind::kFetch;
  record.to = leader;
  record.session_epoch = link.session.epoch;
  uint64_t id = next_send_id_++;
  link.fetch_in_flight = id;
  in_flight_[id] = std::move(record);
  if (sends_.capacity() == 0) sends_.reserve(4);  // TakeSends leaves none
  sends_.push_back(ReplicaSend{id, leader, RequestBody(std::move(req)), 12});
}

void ReplicaManager::FollowerBackoff(Partition& p, int64_t now_ms) {
  p.retry_at_ms = now_ms + std::max<int64_t>(1, config_.replica_fetch_backoff_ms);
  MarkTimed(p);
}

bool ReplicaManager::TruncateToLeaderAnswer(Partition& p, int32_t epoch, int64_t end_offset) {
  int64_t leo = p.log->log_end_offset();
  int64_t target = leo;
  bool done = true;
  if (end_offset < 0) {
    // The leader knows nothing of our epochs: keep only what is committed.
    target = std::min(p.high_watermark, leo);
  } else if (epoch < 0) {
    target = std::min(end_offset, leo);
  } else {
    EpochEndOffset mine = p.log->EndOffsetForEpoch(epoch);
    if (mine.epoch < 0) {
      target = std::min(end_offset, leo);
    } else if (mine.epoch != epoch) {
      // We never had the leader's epoch: cut back to where our own older epoch ends and ask again.
      target = std::min(mine.end_offset, leo);
      done = false;
    } else {
      target = std::min({end_offset, mine.end_offset, leo});
    }
  }
  if (target < leo) {
    Status s = p.log->TruncateTo(target);
    NoteLogHealth(p);
    if (!s.ok()) return false;
    SettleFlushBarriers(p);
    SyncTruncation(p);
  }
  p.high_watermark = std::min(p.high_watermark, p.log->log_end_offset());
  MarkTouched(p);
  return done;
}

void ReplicaManager::HandleFetchResponse(const SendRecord& record, const FetchResponse& response, int64_t now_ms) {
  // The members this answer settles, with their answers (the last one for a repeated partition):
  // a session's answer settles only the members it answers (the others had nothing new and stay
  // in the fetch); an answer without a session, or an error, settles every member.
  std::vector<std::pair<Partition*, const FetchResponse::Partition*>>& settled = settled_scratch_;
  settled.clear();
  if (response.error_code != 0 || response.session_id == 0)
    for (Partition* p : MembersOf(record.to)) settled.emplace_back(p, nullptr);
  if (response.error_code == 0) {
    for (const auto& t : response.responses) {
      for (const auto& rp : t.partitions) {
        Partition* p = Find(PartitionKey{t.topic, rp.partition_index});
        if (p != nullptr && p->fetch_link == record.to) settled.emplace_back(p, &rp);
      }
    }
  }
  // In key order, each partition once, with its last answer.
  std::stable_sort(settled.begin(), settled.end(), [](const auto& a, const auto& b) { return KeyOrder(a.first, b.first); });
  for (size_t i = 0; i + 1 < settled.size(); ++i)
    if (settled[i].first == settled[i + 1].first) settled[i].first = nullptr;
  std::erase_if(settled, [](const auto& e) { return e.first == nullptr; });
  const bool lost_session = LostFetchSession(response.error_code);
  for (const auto& [p, found] : settled) {
    LeaveFetch(*p);
    if (p->role != Role::kFollower) continue;
    // A lost session is started again at once (OnResponse), without a backoff.
    if (lost_session) continue;
    if (response.error_code != 0) {
      FollowerBackoff(*p, now_ms);
      continue;
    }
    if (found == nullptr) continue;  // nothing for it this time
    const FetchResponse::Partition& rp = *found;
    if (rp.error_code == Err(ErrorCode::kOffsetOutOfRange)) {
      if (rp.log_start_offset >= 0 && p->log->log_end_offset() < rp.log_start_offset) {
        if (!p->log->TruncateFullyAndStartAt(rp.log_start_offset).ok()) FollowerBackoff(*p, now_ms);
        NoteLogHealth(*p);
        SettleFlushBarriers(*p);
        SyncTruncation(*p);
        p->high_watermark = p->log->log_end_offset();
        MarkTouched(*p);
      } else {
        p->phase = FollowerPhase::kTruncating;
      }
      continue;
    }
    if (rp.error_code != 0) {
      // FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER...: metadata will tell.
      FollowerBackoff(*p, now_ms);
      continue;
    }
    if (rp.diverging_epoch) {
      bool done = TruncateToLeaderAnswer(*p, rp.diverging_epoch->epoch, rp.diverging_epoch->end_offset);
      if (!done) p->phase = FollowerPhase::kTruncating;
      continue;
    }
    int64_t leo = p->log->log_end_offset();
    if (rp.records && !rp.records->empty()) {
      ByteView data = *rp.records;
      // Skip batches we already hold; the rest must start exactly at our log end.
      size_t pos = 0;
      bool bad = false;
      while (pos + kBatchHeaderBytes <= data.size()) {
        auto h = ParseBatchHeader(data.subspan(pos));
        if (!h.ok()) {
          bad = true;
          break;
        }
        if (h->next_offset() > leo) {
          bad = h->base_offset != leo;
          break;
        }
        pos += h->total_bytes();
      }
      size_t end = pos;
      while (!bad && end + kBatchHeaderBytes <= data.size()) {
        auto size = PeekBatchSize(data.subspan(end), SIZE_MAX);
        if (!size.ok() || end + *size > data.size()) break;  // a partial batch at the end
        end += *size;
      }
      if (bad) {
        p->phase = FollowerPhase::kTruncating;
        FollowerBackoff(*p, now_ms);
        continue;
      }
      if (end > pos) {
        auto info = p->log->AppendAsFollower(data.subspan(pos, end - pos), now_ms);
        NoteLogHealth(*p);
        if (!info.ok()) {
          FollowerBackoff(*p, now_ms);
          continue;
        }
        NoteAppend(*p, *info, now_ms);
      }
    }
    leo = p->log->log_end_offset();
    if (rp.log_start_offset > p->log->log_start_offset() && rp.log_start_offset <= leo) {
      (void)p->log->IncreaseLogStartOffset(rp.log_start_offset);
      NoteLogHealth(*p);
    }
    int64_t hw = std::min(rp.high_watermark, leo);
    if (hw > p->high_watermark) {
      p->high_watermark = hw;
      MarkTouched(*p);
    }
  }
}

void ReplicaManager::HandleEpochResponse(const SendRecord& record, const OffsetForLeaderEpochResponse& response,
                                         int64_t now_ms) {
  for (const auto& [key, gen] : record.partitions) {
    Partition* p = Find(key);
    if (p == nullptr || p->generation != gen || p->role != Role::kFollower) continue;
    p->in_flight = false;
    MarkPump(*p);
    const OffsetForLeaderEpochResponse::Partition* found =
        FindAnswer(response.topics, key, &OffsetForLeaderEpochResponse::Partition::partition);
    if (found == nullptr || found->error_code != 0) {
      FollowerBackoff(*p, now_ms);
      continue;
    }
    if (TruncateToLeaderAnswer(*p, found->leader_epoch, found->end_offset)) {
      p->phase = FollowerPhase::kFetching;
    }
  }
}

void ReplicaManager::HandleAlterResponse(uint64_t send_id, const SendRecord& record,
                                         const AlterPartitionResponse& response, int64_t now_ms) {
  for (const auto& [key, gen] : record.partitions) {
    Partition* p = Find(key);
    // Only the answer to the proposal in flight counts: metadata may have settled this one and a
    // newer proposal may be pending (regression: seed 613 adopted an old answer's ISR and let the
    // HW run past a member the controller was adding).
    if (p == nullptr || p->role != Role::kLeader || p->generation != gen || p->pending_alter_send != send_id) continue;
    MarkTouched(*p);  // its ISR or maximal ISR may change
    const AlterPartitionResponse::Partition* rp = nullptr;
    for (const auto& t : response.topics) {
      for (const auto& part : t.partitions) {
        if (part.partition_index == key.second) rp = &part;
      }
    }
    p->pending_alter_send = 0;
    int16_t err = response.error_code != 0 ? response.error_code : (rp ? rp->error_code : Err(ErrorCode::kUnknownServerError));
    const bool stale_view = err == Err(ErrorCode::kFencedLeaderEpoch) || err == Err(ErrorCode::kInvalidUpdateVersion) ||
                            err == Err(ErrorCode::kUnknownTopicOrPartition) ||
                            err == Err(ErrorCode::kNotLeaderOrFollower) || err == Err(ErrorCode::kStaleBrokerEpoch);
    // No verdict: a controller that resigned (NOT_CONTROLLER) may have appended the change before
    // and a later one commit it, as a timeout may hide a commit. The proposal stays in the maximal
    // ISR and is sent again after the backoff (as Kafka's AlterPartitionManager retries).
    const bool unknown_outcome = response.error_code != 0 || err == Err(ErrorCode::kNotController) ||
                                 err == Err(ErrorCode::kRequestTimedOut) || err == Err(ErrorCode::kUnknownServerError);
    // Our view is stale: the controller's newer partition state may be our own earlier proposal,
    // committed after its request timed out. Until the metadata shows it, the proposal stays in
    // the maximal ISR (the metadata update clears it). Any other answer settles it.
    if (err == 0 || !(stale_view || unknown_outcome)) p->pending_isr.reset();
    if (err == 0 && rp != nullptr) {
      if (rp->leader_epoch == p->leader_epoch && rp->partition_epoch >= p->partition_epoch) {
        p->isr = Sorted(rp->isr);
        p->partition_epoch = rp->partition_epoch;
        MaybeAdvanceHighWatermark(*p);
        OnPartitionChanged(key, now_ms);
      } else {
        p->alter_wait_for_metadata = true;
      }
      continue;
    }
    if (stale_view) {
      p->alter_wait_for_metadata = true;
    } else {
      // Retriable (NOT_CONTROLLER, INELIGIBLE_REPLICA: a member restarted since we saw it...).
      p->alter_retry_at_ms = now_ms + std::max<int64_t>(1, config_.replica_fetch_backoff_ms);
      MarkTimed(*p);
    }
    // The maximal ISR may have shrunk back (a failed expansion): nothing to do, the HW only rises.
    OnPartitionChanged(key, now_ms);
  }
}

void ReplicaManager::OnResponse(uint64_t send_id, const ResponseBody& response, int64_t now_ms) {
  auto it = in_flight_.find(send_id);
  if (it == in_flight_.end()) return;
  SendRecord record = std::move(it->second);
  in_flight_.erase(it);
  switch (record.kind) {
    case SendKind::kFetch: {
      LeaderLink& link = links_[record.to];
      if (link.fetch_in_flight == send_id) link.fetch_in_flight = 0;
      if (const auto* r = std::get_if<FetchResponse>(&response)) {
        link.session.OnAnswer(r->error_code, r->session_id, record.session_epoch);
        HandleFetchResponse(record, *r, now_ms);
      } else {
        link.session.epoch = 0;
        FetchResponse empty;
        empty.error_code = Err(ErrorCode::kUnknownServerError);
        HandleFetchResponse(record, empty, now_ms);
      }
      break;
    }
    case SendKind::kOffsetForLeaderEpoch: {
      LeaderLink& link = links_[record.to];
      if (link.epoch_in_flight == send_id) link.epoch_in_flight = 0;
      if (const auto* r = std::get_if<OffsetForLeaderEpochResponse>(&response)) {
        HandleEpochResponse(record, *r, now_ms);
      } else {
        HandleEpochResponse(record, OffsetForLeaderEpochResponse{}, now_ms);
      }
      break;
    }
    case SendKind::kAlterPartition: {
      if (const auto* r = std::get_if<AlterPartitionResponse>(&response)) {
        HandleAlterResponse(send_id, record, *r, now_ms);
      } else {
        AlterPartitionResponse failed;
        failed.error_code = Err(ErrorCode::kUnknownServerError);
        HandleAlterResponse(send_id, record, failed, now_ms);
      }
      break;
    }
  }
  PumpFetchers(now_ms);
}

void ReplicaManager::OnSendFailed(uint64_t send_id, int64_t now_ms) {
  auto it = in_flight_.find(send_id);
  if (it == in_flight_.end()) return;
  SendRecord record = std::move(it->second);
  in_flight_.erase(it);
  int64_t backoff = std::max<int64_t>(1, config_.replica_fetch_backoff_ms);
  if (record.kind == SendKind::kAlterPartition) {
    for (const auto& [key, gen] : record.partitions) {
      Partition* p = Find(key);
      if (p == nullptr || p->pending_alter_send != send_id) continue;
      // No answer (a timeout, a lost connection): the controller may still commit the proposal,
      // so it stays in the maximal ISR, and the same proposal is sent again after the backoff
      // until an answer or newer metadata settles it (regression: random-nemesis-safe seed 110822
      // dropped an expansion whose request timed out while the controller was paused; the
      // controller committed it later, and the high watermark had meanwhile passed the member it
      // added, which then became leader without those records).
      p->pending_alter_send = 0;
      p->alter_retry_at_ms = now_ms + backoff;
      MarkTimed(*p);
    }
    return;
  }
  LeaderLink& link = links_[record.to];
  if (record.kind == SendKind::kFetch && link.fetch_in_flight == send_id) {
    link.fetch_in_flight = 0;
    link.fetch_backoff_until_ms = now_ms + backoff;
    link.session.epoch = 0;  // the leader may or may not have served it: start a new session
    for (Partition* p : MembersOf(record.to)) LeaveFetch(*p);
  }
  if (record.kind == SendKind::kOffsetForLeaderEpoch && link.epoch_in_flight == send_id) {
    link.epoch_in_flight = 0;
    link.epoch_backoff_until_ms = now_ms + backoff;
  }
  for (const auto& [key, gen] : record.partitions) {
    Partition* p = Find(key);
    if (p != nullptr && p->generation == gen) {
      p->in_flight = false;
      MarkPump(*p);
    }
  }
  PumpFetchers(now_ms);
}

// ---------------------------------------------------------------------------------------------
// Durability, time, introspection

int64_t ReplicaManager::FlushDueMs(const Partition& p) const {
  // flush.ms defaults to INT64_MAX (never): saturate instead of overflowing the sum.
  if (p.flush_interval_ms == std::numeric_limits<int64_t>::max()) return INT64_MAX;
  return SaturatingAdd(p.last_flush_ms, p.flush_interval_ms);
}

void ReplicaManager::MaybeFlush(Partition& p, int64_t now_ms, bool force) {
  if (!force && p.unflushed_messages < p.flush_interval_messages) return;
  if (p.log->sync_needed() && p.log->health().ok()) TrackSyncs({p.topic, p.index}, p.log->RequestSync());
  NoteLogHealth(p);
  p.unflushed_messages = 0;
  p.last_flush_ms = now_ms;
}

void ReplicaManager::NoteAppend(Partition& p, const LogAppendInfo& info, int64_t now_ms) {
  int64_t before = info.first_offset;
  p.unflushed_messages += info.last_offset - info.first_offset + 1;
  if (p.unflushed_messages < p.flush_interval_messages) return;
  MaybeFlush(p, now_ms, /*force=*/false);
  p.flush_barriers.emplace_back(before, info.last_offset + 1);
  SettleFlushBarriers(p);  // nothing to wait for when the disk is already there (or failed)
}

Result<LogAppendInfo> ReplicaManager::AppendAsLeader(Partition& p, ByteView records, int64_t now_ms) {
  const int64_t log_start = p.log->log_start_offset();
  auto info = p.log->AppendAsLeader(records, p.leader_epoch, now_ms);
  if (info.ok() && p.log->health().ok() && p.log->log_start_offset() == log_start) {
    MarkTouched(p, /*log_end_only=*/true);
  } else {
    NoteLogHealth(p);
  }
  return info;
}

void ReplicaManager::AfterLeaderAppend(Partition& p, const PartitionKey& key, const LogAppendInfo& info,
                                       uint64_t read_version_before, int64_t now_ms) {
  NoteAppend(p, info, now_ms);
  MaybeAdvanceHighWatermark(p);
  OnPartitionChanged(key, now_ms, /*readers=*/p.read_version != read_version_before);
}

void ReplicaManager::NoteLogHealth(Partition& p) {
  MarkTouched(p);
  // A member of a fetch whose log changed (retention moved its start): the next fetch says so.
  if (p.fetch_link >= 0) links_[p.fetch_link].dirty.push_back(&p);
  if (log_failure_.ok() && !p.log->health().ok()) log_failure_ = p.log->health().WithContext(p.log->dir());
}

int64_t ReplicaManager::AckableEnd(const Partition& p) {
  int64_t end = std::min(p.log->log_end_offset(), p.log->unsynced_truncation());
  return p.flush_barriers.empty() ? end : std::min(end, p.flush_barriers.front().first);
}

void ReplicaManager::SyncTruncation(Partition& p) {
  if (p.log->unsynced_truncation() != kNoUnsyncedTruncation && p.log->sync_needed() && p.log->health().ok())
    TrackSyncs({p.topic, p.index}, p.log->RequestSync());
  NoteLogHealth(p);
}

bool ReplicaManager::SettleFlushBarriers(Partition& p) {
  if (p.flush_barriers.empty()) return false;
  MarkPump(p);
  // A truncation cut the barriers to the log end; what remains still needs its sync.
  int64_t leo = p.log->log_end_offset();
  for (auto& [before, after] : p.flush_barriers) {
    before = std::min(before, leo);
    after = std::min(after, leo);
  }
  int64_t durable = p.log->durable_offset();
  size_t done = 0;
  while (done < p.flush_barriers.size() && p.flush_barriers[done].second <= durable) ++done;
  p.flush_barriers.erase(p.flush_barriers.begin(), p.flush_barriers.begin() + ptrdiff_t(done));
  return done > 0;
}

void ReplicaManager::TrackSyncs(const PartitionKey& key, const std::vector<SyncId>& ids) {
  for (SyncId id : ids) syncs_[id] = key;
}

std::string ReplicaManager::CheckpointPath() const {
  return JoinPath(config_.log_root, kReplicationOffsetCheckpointFile);
}

void ReplicaManager::MaybeCheckpointHighWatermarks(int64_t now_ms) {
  if (now_ms < next_checkpoint_ms_ || checkpoint_phase_ != CheckpointPhase::kIdle) return;
  next_checkpoint_ms_ = now_ms + std::max<int64_t>(1, config_.hw_checkpoint_interval_ms);
  HighWatermarks hws;
  for (const auto& [key, p] : partitions_) {
    if (p.log->health().ok()) hws.emplace(key, p.high_watermark);
  }
  if (hws == checkpointed_hws_) return;
  std::string path = CheckpointPath();
  std::string tmp = path + std::string(kTempFileSuffix);
  std::string text = EncodeReplicationOffsetCheckpoint(hws);
  if (disk_.Exists(tmp) && !disk_.Remove(tmp).ok()) return;
  if (!disk_.Write(tmp, 0, AsBytes(text)).ok()) return;
  checkpointed_hws_ = std::move(hws);
  checkpoint_phase_ = CheckpointPhase::kSyncingFile;
  checkpoint_sync_ = disk_.RequestSync(tmp);
}

void ReplicaManager::OnCheckpointSyncDone(bool ok) {
  std::string path = CheckpointPath();
  if (ok && checkpoint_phase_ == CheckpointPhase::kSyncingFile &&
      disk_.Rename(path + std::string(kTempFileSuffix), path).ok()) {
    checkpoint_phase_ = CheckpointPhase::kSyncingDir;
    checkpoint_sync_ = disk_.RequestSync(config_.log_root);
    return;
  }
  // Done, or failed: a failure forgets what was written so that the next interval writes again.
  if (!ok || checkpoint_phase_ == CheckpointPhase::kSyncingFile) checkpointed_hws_.clear();
  checkpoint_phase_ = CheckpointPhase::kIdle;
}

bool ReplicaManager::OnSyncDone(SyncId id, bool ok, int64_t now_ms) {
  if (untracked_syncs_.erase(id) > 0) return true;
  if (checkpoint_phase_ != CheckpointPhase::kIdle && id == checkpoint_sync_) {
    OnCheckpointSyncDone(ok);
    return true;
  }
  auto it = syncs_.find(id);
  if (it == syncs_.end()) return false;
  PartitionKey key = it->second;
  syncs_.erase(it);
  Partition* p = Find(key);
  if (p == nullptr) return true;
  const bool truncation_was_unsynced = p->log->unsynced_truncation() != kNoUnsyncedTruncation;
  TrackSyncs(key, p->log->OnSyncDone(id, ok));
  NoteLogHealth(*p);
  const bool truncation_synced = truncation_was_unsynced && p->log->unsynced_truncation() == kNoUnsyncedTruncation;
  if (truncation_synced) MarkPump(*p);
  if (SettleFlushBarriers(*p) || truncation_synced) {
    if (p->role == Role::kLeader) {
      MaybeAdvanceHighWatermark(*p);
      OnPartitionChanged(key, now_ms);
    } else {
      PumpFetchers(now_ms);
    }
  }
  return true;
}

void ReplicaManager::Tick(int64_t now_ms) {
  // Parked produce timeouts.
  for (auto it = parked_produces_.begin(); it != parked_produces_.end();) {
    if (it->second.deadline_ms > now_ms) {
      ++it;
      continue;
    }
    ParkedProduce& pp = it->second;
    for (auto& w : pp.waiters) {
      if (!w.done) pp.response.responses[w.topic_slot].partition_responses[w.partition_slot].error_code =
          Err(ErrorCode::kRequestTimedOut);
    }
    FinishProduce(pp);
    it = EraseParkedProduce(it);
  }
  // Parked fetch timeouts: answer with whatever there is.
  for (auto it = parked_fetches_.begin(); it != parked_fetches_.end();) {
    if (it->second.deadline_ms > now_ms) {
      ++it;
      continue;
    }
    auto next = std::next(it);
    AnswerParkedFetch(it, EvaluateParked(it->second));
    it = next;
  }
  // ISR shrink, every replica_lag_time_max_ms / 2 as Kafka does, and retries of failed proposals.
  bool check_isr = now_ms >= next_isr_check_ms_;
  if (check_isr) next_isr_check_ms_ = now_ms + std::max<int64_t>(1, config_.replica_lag_time_max_ms / 2);
  // Every leader at an ISR check; otherwise only the partitions with a deadline of their own (the
  // others have nothing to do here), in the same (topic, partition) order.
  std::vector<Partition*>& due = tick_scratch_;
  due.clear();
  if (check_isr) {
    for (auto& [key, p] : partitions_) due.push_back(&p);
  } else {
    due = timed_;
    std::sort(due.begin(), due.end(), [](const Partition* a, const Partition* b) {
      return KeyOrder(a, b);
    });
  }
  for (Partition* partition : due) {
    Partition& p = *partition;
    bool retry = p.alter_retry_at_ms != 0 && p.alter_retry_at_ms <= now_ms;
    if (retry) p.alter_retry_at_ms = 0;
    if (retry && p.role == Role::kLeader && p.pending_isr && p.pending_alter_send == 0 && !p.alter_wait_for_metadata) {
      ProposeIsr(p, *p.pending_isr, now_ms);  // the unanswered proposal, again
    } else if (p.role == Role::kLeader && (check_isr || retry)) {
      MaybeShrinkIsr(p, now_ms);
    }
    if (FlushDueMs(p) <= now_ms) MaybeFlush(p, now_ms, /*force=*/true);
  }
  MaybeApplyRetention(now_ms);
  MaybeCheckpointHighWatermarks(now_ms);
  PumpFetchers(now_ms);
  std::erase_if(timed_, [](Partition* p) {
    p->timed = Timed(*p);
    return !p->timed;
  });
}

void ReplicaManager::MaybeApplyRetention(int64_t now_ms) {
  if (next_retention_check_ms_ < 0) next_retention_check_ms_ = SaturatingAdd(now_ms, config_.retention_check_interval_ms);
  if (now_ms < next_retention_check_ms_) return;
  next_retention_check_ms_ = SaturatingAdd(now_ms, config_.retention_check_interval_ms);
  for (Partition* p : all_partitions_) {
    if (!p->log->health().ok()) continue;
    auto deleted = p->log->DeleteExpiredSegments(now_ms, p->high_watermark);
    NoteLogHealth(*p);
    if (deleted.ok() && *deleted > 0) OnPartitionChanged({p->topic, p->index}, now_ms);
  }
}

int64_t ReplicaManager::NextDeadlineMs() const {
  int64_t next = INT64_MAX;
  for (const auto& [seq, deadline] : parked_deadlines_) next = std::min(next, deadline);
  // A partition's own deadline; one without (not Timed) gives INT64_MAX.
  auto own = [&](const Partition& p) {
    int64_t at = INT64_MAX;
    if (p.alter_retry_at_ms != 0) at = std::min(at, p.alter_retry_at_ms);
    if (p.retry_at_ms != 0 && p.role == Role::kFollower) at = std::min(at, p.retry_at_ms);
    int64_t flush_at = FlushDueMs(p);
    if (flush_at < at && p.log->sync_needed()) at = flush_at;
    return at;
  };
  for (const Partition* p : timed_) next = std::min(next, own(*p));
#ifndef NDEBUG
  for (const Partition* p : all_partitions_) SAMSA_ASSERT_MSG(p->timed || own(*p) == INT64_MAX, "a deadline not in timed_");
  size_t leaders = 0;
  for (const Partition* p : all_partitions_) leaders += p->role == Role::kLeader && !p->remotes.empty();
  SAMSA_ASSERT(leaders == leaders_with_followers_);
#endif
  if (leaders_with_followers_ > 0) next = std::min(next, next_isr_check_ms_);
  if (!all_partitions_.empty() && checkpoint_phase_ == CheckpointPhase::kIdle) next = std::min(next, next_checkpoint_ms_);
  if (!all_partitions_.empty() && next_retention_check_ms_ >= 0) next = std::min(next, next_retention_check_ms_);
  for (const auto& [id, link] : links_) {
    if (link.fetch_backoff_until_ms != 0) next = std::min(next, link.fetch_backoff_until_ms);
    if (link.epoch_backoff_until_ms != 0) next = std::min(next, link.epoch_backoff_until_ms);
  }
  return next;
}

std::vector<BrokerRegistrationRequest::LostPartition> ReplicaManager::LostDataPartitions() const {
  std::vector<BrokerRegistrationRequest::LostPartition> out;
  for (const auto& [key, p] : partitions_) {
    if (p.log->lost_durable_data()) out.push_back({key.first, key.second});
  }
  return out;
}

std::vector<ReplicaManager::PartitionState> ReplicaManager::Partitions() const {
  std::vector<PartitionState> out;
  for (const auto& [key, p] : partitions_) {
    PartitionState s;
    s.topic = p.topic;
    s.partition = p.index;
    s.is_leader = p.role == Role::kLeader;
    s.leader_epoch = p.leader_epoch;
    s.log_start_offset = p.log->log_start_offset();
    s.log_end_offset = p.log->log_end_offset();
    s.high_watermark = p.high_watermark;
    if (s.is_leader) s.isr = p.isr;
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<int64_t> ReplicaManager::LeaderHighWatermark(const std::string& topic, int32_t partition) const {
  const Partition* p = Find(PartitionKey{topic, partition});
  if (p == nullptr || p->role != Role::kLeader) return std::nullopt;
  return p->high_watermark;
}

void ReplicaManager::Describe(std::vector<view::LocalReplica>* out) const {
  out->clear();
  for (const auto& [key, p] : partitions_) {
    view::LocalReplica r;
    r.topic = key.first;
    r.partition = key.second;
    r.is_leader = p.role == Role::kLeader;
    r.leader_epoch = p.leader_epoch;
    r.log_start_offset = p.log->log_start_offset();
    r.log_end_offset = p.log->log_end_offset();
    r.durable_offset = std::min(p.log->durable_offset(), r.log_end_offset);
    r.high_watermark = p.high_watermark;
    if (r.is_leader)
      for (const auto& [id, remote] : p.remotes)
        r.follower_caught_up_ms.emplace_back(id, remote.log_end_offset < 0 ? -1 : CaughtUpMs(remote));
    out->push_back(std::move(r));
  }
}

void ReplicaManager::TakeChangedPartitions(std::vector<PartitionState>* out) {
  out->clear();
#ifndef NDEBUG
  for (const Partition* p : all_partitions_) {
    SAMSA_ASSERT_MSG(p->touched || (p->role == p->reported_role && p->leader_epoch == p->reported_epoch &&
                                    p->high_watermark == p->reported_hw && p->log->log_end_offset() == p->reported_leo),
                     "a partition changed without MarkTouched");
  }
#endif
  std::sort(touched_.begin(), touched_.end(), [](const Partition* a, const Partition* b) {
    return KeyOrder(a, b);
  });
  for (Partition* partition : touched_) {
    Partition& p = *partition;
    p.touched = false;
    const int64_t leo = p.log->log_end_offset();
    const bool leo_back = leo < p.reported_leo;  // since the previous call
    p.reported_leo = leo;
    if (p.role == p.reported_role && p.leader_epoch == p.reported_epoch && p.high_watermark == p.reported_hw &&
        !leo_back)
      continue;
    p.reported_role = p.role;
    p.reported_epoch = p.leader_epoch;
    p.reported_hw = p.high_watermark;
    PartitionState& s = out->emplace_back();
    s.topic = p.topic;
    s.partition = p.index;
    s.is_leader = p.role == Role::kLeader;
    s.leader_epoch = p.leader_epoch;
    s.log_start_offset = p.log->log_start_offset();
    s.log_end_offset = leo;
    s.high_watermark = p.high_watermark;
    if (s.is_leader) s.isr = p.isr;
  }
  touched_.clear();
}

void ReplicaManager::Reply(uint64_t token, ResponseBody body, bool send_response, std::vector<Bytes> buffers) {
  // TakeReplies leaves the vector without capacity: start at a few, not at one (the entries are
  // large to move).
  if (replies_.capacity() == 0) replies_.reserve(4);
  ReplicaReply r;
  r.token = token;
  r.response = std::move(body);
  r.send_response = send_response;
  r.buffers = std::move(buffers);
  replies_.push_back(std::move(r));
}

std::vector<ReplicaReply> ReplicaManager::TakeReplies() { return std::exchange(replies_, {}); }

std::vector<ReplicaSend> ReplicaManager::TakeSends() { return std::exchange(sends_, {}); }

}  // namespace samsa

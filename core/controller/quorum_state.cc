#include "core/controller/quorum_state.h"

#include <charconv>
#include <utility>

#include "core/log/sealed_text.h"

namespace samsa {

namespace {

std::string ParentDir(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

Result<int32_t> ReadIntKey(std::string_view text, std::string_view key) {
  std::string needle = "\"" + std::string(key) + "\":";
  size_t at = text.find(needle);
  if (at == std::string_view::npos) return Status::Corruption("quorum-state: missing " + std::string(key));
  const char* begin = text.data() + at + needle.size();
  const char* end = text.data() + text.size();
  int32_t value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin) {
    return Status::Corruption("quorum-state: " + std::string(key) + " is not an int32");
  }
  return value;
}

}  // namespace

std::string EncodeQuorumState(const QuorumStateData& data, std::string_view cluster_id,
                              const std::vector<int32_t>& voters) {
  std::string out = "{\"clusterId\":\"" + std::string(cluster_id) + "\"";
  out += ",\"leaderId\":" + std::to_string(data.leader_id);
  out += ",\"leaderEpoch\":" + std::to_string(data.leader_epoch);
  out += ",\"votedId\":" + std::to_string(data.voted_id);
  out += ",\"appliedOffset\":0,\"currentVoters\":[";
  for (size_t i = 0; i < voters.size(); ++i) {
    if (i > 0) out += ",";
    out += "{\"voterId\":" + std::to_string(voters[i]) + "}";
  }
  out += "],\"data_version\":0";
  if (data.lost_log) out += ",\"samsaLostLog\":true";
  out += "}\n";
  return out;
}

Result<QuorumStateData> ParseQuorumState(std::string_view text) {
  if (text.empty() || text.front() != '{' || text.find('}') == std::string_view::npos) {
    return Status::Corruption("quorum-state: not a JSON object");
  }
  QuorumStateData data;
  SAMSA_ASSIGN_OR_RETURN(data.leader_id, ReadIntKey(text, "leaderId"));
  SAMSA_ASSIGN_OR_RETURN(data.leader_epoch, ReadIntKey(text, "leaderEpoch"));
  SAMSA_ASSIGN_OR_RETURN(data.voted_id, ReadIntKey(text, "votedId"));
  data.lost_log = text.find("\"samsaLostLog\":true") != std::string_view::npos;
  if (data.leader_epoch < 0 || data.leader_id < -1 || data.voted_id < -1) {
    return Status::Corruption("quorum-state: value out of range");
  }
  return data;
}

QuorumStateStore::QuorumStateStore(Disk& disk, std::string path, std::string cluster_id,
                                   std::vector<int32_t> voters)
    : disk_(disk),
      path_(std::move(path)),
      tmp_path_(path_ + ".tmp"),
      dir_(ParentDir(path_)),
      cluster_id_(std::move(cluster_id)),
      voters_(std::move(voters)) {}

Result<std::optional<QuorumStateData>> QuorumStateStore::Load() {
  if (disk_.Exists(tmp_path_)) SAMSA_RETURN_IF_ERROR(disk_.Remove(tmp_path_));
  if (!disk_.Exists(path_)) return std::optional<QuorumStateData>();
  SAMSA_ASSIGN_OR_RETURN(uint64_t size, disk_.FileSize(path_));
  SAMSA_ASSIGN_OR_RETURN(Bytes content, disk_.Read(path_, 0, size_t(size)));
  SAMSA_ASSIGN_OR_RETURN(std::string_view body, UnsealText(AsString(content), "quorum-state"));
  SAMSA_ASSIGN_OR_RETURN(QuorumStateData data, ParseQuorumState(body));
  return std::optional<QuorumStateData>(data);
}

uint64_t QuorumStateStore::Write(const QuorumStateData& data) {
  uint64_t version = next_version_++;
  if (!health_.ok()) return version;
  if (phase_ == Phase::kIdle) {
    Start(data, version);
  } else {
    queued_ = std::make_pair(data, version);
  }
  return version;
}

void QuorumStateStore::Start(const QuorumStateData& data, uint64_t version) {
  std::string text = SealText(EncodeQuorumState(data, cluster_id_, voters_));
  if (!dir_.empty()) {
    if (Status s = disk_.CreateDir(dir_); !s.ok()) return Fail(s);
  }
  if (disk_.Exists(tmp_path_)) {
    if (Status s = disk_.Remove(tmp_path_); !s.ok()) return Fail(s);
  }
  if (Status s = disk_.Write(tmp_path_, 0, AsBytes(text)); !s.ok()) return Fail(s);
  in_flight_version_ = version;
  phase_ = Phase::kSyncingFile;
  waiting_ = disk_.RequestSync(tmp_path_);
}

bool QuorumStateStore::OnSyncDone(SyncId id, bool ok) {
  if (!waiting_ || *waiting_ != id) return false;
  waiting_.reset();
  if (!ok) {
    Fail(Status::IoError("quorum-state sync failed"));
    return true;
  }
  if (phase_ == Phase::kSyncingFile) {
    // Content is durable under the temp name; only now may it replace the old state.
    if (Status s = disk_.Rename(tmp_path_, path_); !s.ok()) {
      Fail(s);
      return true;
    }
    phase_ = Phase::kSyncingDir;
    waiting_ = disk_.RequestSync(dir_);
    return true;
  }
  SAMSA_ASSERT(phase_ == Phase::kSyncingDir);
  durable_version_ = in_flight_version_;
  phase_ = Phase::kIdle;
  if (queued_) {
    auto [data, version] = *queued_;
    queued_.reset();
    Start(data, version);
  }
  return true;
}

void QuorumStateStore::Fail(Status s) {
  if (health_.ok()) health_ = std::move(s);
  phase_ = Phase::kIdle;
  waiting_.reset();
  queued_.reset();
}

}  // namespace samsa

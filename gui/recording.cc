#include "gui/recording.h"

#include <algorithm>

namespace samsa::gui {

std::vector<std::string> PartitionNames(const view::ClusterView& view) {
  std::vector<std::string> names;
  for (const view::TopicView& t : view.topics)
    for (const view::PartitionView& p : t.partitions) names.push_back(t.name + "-" + std::to_string(p.partition));
  return names;
}

Sample SampleOf(const view::ClusterView& view) {
  Sample s;
  s.at_ns = view.at_ns;
  for (const view::TopicView& t : view.topics) {
    for (const view::PartitionView& p : t.partitions) {
      PartitionSample ps;
      ps.isr_size = int32_t(p.isr.size());
      for (const view::ReplicaView& r : p.replica_views) {
        if (r.online) ps.log_ends.emplace_back(r.broker, r.log_end_offset);
        if (!r.is_leader || !r.online) continue;
        ps.high_watermark = r.high_watermark;
        ps.durable = r.durable_offset;
      }
      s.isr_total += ps.isr_size;
      if (p.leader >= 0 && p.isr.size() < p.replicas.size()) ++s.under_replicated;
      s.partitions.push_back(ps);
    }
  }
  for (const view::ClientView& c : view.clients) {
    if (c.kind != "consumer") continue;
    ConsumerSample cs;
    cs.id = c.id;
    cs.lag = c.TotalLag();
    for (const view::ConsumerPositionView& p : c.positions) cs.positions.emplace_back(p.partition, p.position);
    if (cs.lag >= 0) s.total_lag = std::max<int64_t>(s.total_lag, 0) + cs.lag;
    s.consumers.push_back(std::move(cs));
  }
  return s;
}

Recording::Recording(std::unique_ptr<sim::Session> session, std::vector<Sample> samples)
    : session_(std::move(session)), samples_(std::move(samples)) {
  partition_names_ = PartitionNames(session_->View());
  SampleDue();
}

void Recording::SampleDue() {
  // A sample at every multiple of the interval the clock has reached (one view serves several
  // instants only when the session jumped: the state did not change in between).
  const int64_t now = session_->now_ns();
  const int64_t next = samples_.empty() ? 0 : samples_.back().at_ns + kSampleIntervalNs;
  if (now < next) return;
  view::ClusterView v = session_->View();
  Sample s = SampleOf(v);
  if (s.partitions.size() != partition_names_.size()) partition_names_ = PartitionNames(v);  // topics created
  for (int64_t at = next; at <= now; at += kSampleIntervalNs) {
    s.at_ns = at;
    samples_.push_back(s);
  }
}

bool Recording::AdvanceTo(int64_t t_ns, bool stop_at_captions) {
  t_ns = std::min(t_ns, session_->end_ns());
  bool stopped = false;
  if (stop_at_captions) {
    for (const sim::Caption& c : session_->scenario().captions) {
      if (c.pause && c.at_ns > session_->now_ns() && c.at_ns <= t_ns) {
        t_ns = c.at_ns;
        stopped = true;
        break;
      }
    }
  }
  while (session_->now_ns() < t_ns) {
    const int64_t next = samples_.empty() ? 0 : samples_.back().at_ns + kSampleIntervalNs;
    session_->RunUntil(std::min(t_ns, next));
    SampleDue();
  }
  if (session_->at_end()) session_->Finish();
  return stopped;
}

bool Recording::Step() {
  const bool ran = session_->Step();
  SampleDue();
  if (!ran) session_->Finish();  // nothing is due before the end: the run is over
  return ran;
}

Status Recording::SeekTo(int64_t t_ns) {
  t_ns = std::clamp<int64_t>(t_ns, 0, session_->end_ns());
  if (t_ns >= session_->now_ns()) {
    AdvanceTo(t_ns);
    return Status::Ok();
  }
  if (Status st = session_->Rewind(t_ns); !st.ok()) return st;
  while (!samples_.empty() && samples_.back().at_ns > t_ns) samples_.pop_back();
  return Status::Ok();
}

Result<std::unique_ptr<Recording>> Recording::Branch(int64_t t_ns) const {
  auto branch = session_->Branch(t_ns);
  if (!branch.ok()) return branch.status();
  std::vector<Sample> kept;
  for (const Sample& s : samples_)
    if (s.at_ns <= t_ns) kept.push_back(s);
  auto recording = std::make_unique<Recording>(std::move(*branch), std::move(kept));
  if (recording->session().at_end()) recording->session().Finish();  // as AdvanceTo would
  return recording;
}

}  // namespace samsa::gui

#include "gui/session_worker.h"

#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>

namespace samsa::gui {

namespace {
int64_t WallNs() {
  static QElapsedTimer clock = [] {
    QElapsedTimer t;
    t.start();
    return t;
  }();
  return clock.nsecsElapsed();
}
}  // namespace

std::shared_ptr<Snapshot> MakeSnapshot(sim::Session& session, size_t events_from) {
  auto s = std::make_shared<Snapshot>();
  s->view = session.View();
  const auto& events = session.events();
  if (events_from < events.size()) s->new_events.assign(events.begin() + ptrdiff_t(events_from), events.end());
  s->scenario_name = session.scenario().name;
  s->seed = session.seed();
  s->end_ns = session.end_ns();
  s->at_end = session.at_end();
  s->trace_hash = session.trace_hash();
  return s;
}

std::shared_ptr<Snapshot> MakeSnapshot(Recording& recording, size_t events_from, size_t samples_from) {
  std::shared_ptr<Snapshot> s = MakeSnapshot(recording.session(), events_from);
  const auto& samples = recording.samples();
  s->samples_from = std::min(samples_from, samples.size());
  s->new_samples.assign(samples.begin() + ptrdiff_t(s->samples_from), samples.end());
  s->partition_names = recording.partition_names();
  BranchInfo root;
  root.now_ns = recording.session().now_ns();
  root.injections = recording.session().injections().size();
  s->branches = {root};
  return s;
}

SessionWorker::SessionWorker(QObject* parent) : QObject(parent) {
  timer_ = new QTimer(this);
  timer_->setInterval(10);
  connect(timer_, &QTimer::timeout, this, &SessionWorker::Tick);
}

SessionWorker::~SessionWorker() = default;

void SessionWorker::Open(std::shared_ptr<const sim::Scenario> scenario, quint64 seed) {
  scenario_ = std::move(scenario);
  seed_ = seed;
  Restart();
}

void SessionWorker::Restart() {
  if (!scenario_) return;
  auto session = sim::Session::Open(*scenario_, seed_);
  if (!session.ok()) {
    emit Failed(QString::fromStdString(session.status().message()));
    return;
  }
  branches_.clear();
  BranchState root;
  root.recording = std::make_unique<Recording>(std::move(*session));
  root.info.id = 0;
  current_ = root.recording.get();
  current_id_ = 0;
  branches_.push_back(std::move(root));
  playing_ = false;
  stopped_at_caption_ = false;
  last_tick_wall_ns_ = WallNs();
  timer_->start();
  ResendAll();
}

void SessionWorker::ResendAll() {
  events_sent_ = 0;
  samples_sent_ = 0;
  reset_pending_ = true;
  Publish(true);
}

void SessionWorker::Play() {
  playing_ = true;
  stopped_at_caption_ = false;
  last_tick_wall_ns_ = WallNs();
  Publish(true);
}

void SessionWorker::Pause() {
  playing_ = false;
  Publish(true);
}

void SessionWorker::StepEvent() {
  if (!current_) return;
  playing_ = false;
  current_->Step();
  Publish(true);
}

void SessionWorker::StepTime(qint64 duration_ns) {
  if (!current_) return;
  playing_ = false;
  current_->AdvanceTo(current_->session().now_ns() + duration_ns);
  Publish(true);
}

void SessionWorker::SetSpeed(double speed) {
  speed_ = std::max(0.0, speed);
  Publish(true);
}

void SessionWorker::Inject(std::shared_ptr<const sim::FaultStep> step) {
  if (!current_ || !step) return;
  Status st = current_->session().Inject(*step);
  if (!st.ok()) emit Failed(QString::fromStdString(st.message()));
  Publish(true);
}

void SessionWorker::RequestSeek(qint64 t_ns) {
  // Coalesced: while the worker is busy rewinding, only the latest target survives.
  if (seek_target_.exchange(t_ns) < 0) QMetaObject::invokeMethod(this, &SessionWorker::DoSeek, Qt::QueuedConnection);
}

void SessionWorker::DoSeek() {
  const int64_t t = seek_target_.exchange(-1);
  if (!current_ || t < 0) return;
  playing_ = false;
  stopped_at_caption_ = false;
  const bool back = t < current_->session().now_ns();
  if (Status st = current_->SeekTo(t); !st.ok()) {
    emit Failed(QString::fromStdString(st.message()));
    return;
  }
  if (back) ResendAll();
  else Publish(true);
}

void SessionWorker::Branch() {
  if (!current_) return;
  const int64_t at = current_->session().now_ns();
  auto branch = current_->Branch(at);
  if (!branch.ok()) {
    emit Failed(QString::fromStdString(branch.status().message()));
    return;
  }
  BranchState b;
  b.recording = std::move(*branch);
  b.info.id = int(branches_.size());
  b.info.parent = current_id_;
  b.info.from_ns = at;
  current_ = b.recording.get();
  current_id_ = b.info.id;
  branches_.push_back(std::move(b));
  playing_ = false;
  ResendAll();
}

void SessionWorker::RunToFirstViolation() {
  if (!current_) return;
  playing_ = false;
  sim::Session& session = current_->session();
  size_t scanned = 0;
  auto found = [&] {
    for (const auto& events = session.events(); scanned < events.size(); ++scanned)
      if (events[scanned].kind == view::EventKind::kViolation) return true;
    return false;
  };
  // Runtime checks run every check interval: advance in small steps and stop at the first.
  while (!found() && !session.at_end()) current_->AdvanceTo(session.now_ns() + 10'000'000);
  if (!found()) session.Finish();  // the history check, at the end
  Publish(true);
}

void SessionWorker::SwitchTo(int branch) {
  if (branch < 0 || size_t(branch) >= branches_.size() || branch == current_id_) return;
  current_ = branches_[size_t(branch)].recording.get();
  current_id_ = branch;
  playing_ = false;
  stopped_at_caption_ = false;
  ResendAll();
}

Result<std::string> SessionWorker::SaveYaml(const std::string& original) const {
  if (!current_) return Status::FailedPrecondition("no scenario is open");
  return current_->session().SaveYaml(original);
}

Result<std::vector<view::LogRecordView>> SessionWorker::ReadLog(int32_t node, const sim::PartitionRef& partition,
                                                                int64_t from, size_t max_records) {
  if (!current_) return Status::FailedPrecondition("no scenario is open");
  return current_->session().ReadLog(node, partition, from, max_records);
}

Result<view::BrokerDetailsView> SessionWorker::DescribeBroker(int32_t node) {
  if (!current_) return Status::FailedPrecondition("no scenario is open");
  return current_->session().DescribeBroker(node);
}

Result<view::RecordHistoryView> SessionWorker::RecordHistory(const sim::PartitionRef& partition,
                                                             const std::string& value) {
  if (!current_) return Status::FailedPrecondition("no scenario is open");
  return current_->session().RecordHistory(partition, value);
}

void SessionWorker::Tick() {
  if (!current_) return;
  sim::Session& session = current_->session();
  const int64_t now_wall = WallNs();
  const int64_t elapsed = now_wall - last_tick_wall_ns_;
  last_tick_wall_ns_ = now_wall;
  if (playing_ && !session.at_end()) {
    bool stopped = false;
    if (speed_ > 0) {
      stopped = current_->AdvanceTo(session.now_ns() + std::max<int64_t>(1, int64_t(double(elapsed) * speed_)),
                                    lesson_mode_);
    } else {
      // As fast as possible, yet back to the event loop (and a snapshot) every ~20 ms: about
      // 30 views a second while the simulation uses most of a core.
      const int64_t until = now_wall + 20'000'000;
      while (!stopped && !session.at_end() && WallNs() < until)
        stopped = current_->AdvanceTo(session.now_ns() + 5'000'000, lesson_mode_);
    }
    if (stopped) {
      playing_ = false;
      stopped_at_caption_ = true;
      Publish(true);
      return;
    }
    if (session.at_end()) playing_ = false;
  }
  Publish(false);
}

void SessionWorker::Publish(bool force) {
  if (!current_) return;
  if (ui_busy_.load() && !force) return;
  ui_busy_.store(true);
  std::shared_ptr<Snapshot> s = MakeSnapshot(*current_, events_sent_, samples_sent_);
  events_sent_ = current_->session().events().size();
  samples_sent_ = current_->samples().size();
  s->reset = reset_pending_;
  reset_pending_ = false;
  s->playing = playing_;
  s->speed = speed_;
  s->stopped_at_caption = stopped_at_caption_;
  if (flow_) s->frames = current_->session().FramesInFlight();
  s->branch = current_id_;
  s->branches.clear();
  for (BranchState& b : branches_) {
    b.info.now_ns = b.recording->session().now_ns();
    b.info.injections = b.recording->session().injections().size();
    s->branches.push_back(b.info);
  }
  emit Published(std::move(s));
}

}  // namespace samsa::gui

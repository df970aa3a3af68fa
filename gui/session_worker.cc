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
  session_ = std::move(*session);
  events_sent_ = 0;
  reset_pending_ = true;
  last_tick_wall_ns_ = WallNs();
  timer_->start();
  Publish(true);
}

void SessionWorker::Play() {
  playing_ = true;
  last_tick_wall_ns_ = WallNs();
  Publish(true);
}

void SessionWorker::Pause() {
  playing_ = false;
  Publish(true);
}

void SessionWorker::StepEvent() {
  if (!session_) return;
  playing_ = false;
  session_->Step();
  Publish(true);
}

void SessionWorker::StepTime(qint64 duration_ns) {
  if (!session_) return;
  playing_ = false;
  session_->RunFor(duration_ns);
  Publish(true);
}

void SessionWorker::SetSpeed(double speed) {
  speed_ = std::max(0.0, speed);
  Publish(true);
}

void SessionWorker::Inject(std::shared_ptr<const sim::FaultStep> step) {
  if (!session_ || !step) return;
  Status st = session_->Inject(*step);
  if (!st.ok()) emit Failed(QString::fromStdString(st.message()));
  Publish(true);
}

void SessionWorker::Tick() {
  if (!session_) return;
  const int64_t now_wall = WallNs();
  const int64_t elapsed = now_wall - last_tick_wall_ns_;
  last_tick_wall_ns_ = now_wall;
  if (playing_ && !session_->at_end()) {
    if (speed_ > 0) {
      session_->RunFor(std::max<int64_t>(1, int64_t(double(elapsed) * speed_)));
    } else {
      // As fast as possible, yet back to the event loop (and a snapshot) every ~20 ms: about
      // 30 views a second while the simulation uses most of a core.
      const int64_t until = now_wall + 20'000'000;
      while (!session_->at_end() && WallNs() < until) session_->RunFor(5'000'000);
    }
    if (session_->at_end()) playing_ = false;
  }
  Publish(false);
}

void SessionWorker::Publish(bool force) {
  if (!session_) return;
  if (ui_busy_.load() && !force) return;
  ui_busy_.store(true);
  std::shared_ptr<Snapshot> s = MakeSnapshot(*session_, events_sent_);
  events_sent_ = session_->events().size();
  s->reset = reset_pending_;
  reset_pending_ = false;
  s->playing = playing_;
  s->speed = speed_;
  emit Published(std::move(s));
}

}  // namespace samsa::gui

#pragma once
// SessionWorker: owns a sim::Session on its own thread and publishes immutable Snapshots (a
// ClusterView and the events since the previous snapshot) to the UI thread. While playing it
// advances the simulation by speed x wall time (or, at maximum speed, as far as ~20 ms of wall
// time allows) every tick (10 ms). A new snapshot is published only once the UI has taken the previous
// one (MarkConsumed), so the UI never queues up views and never waits for the simulator.
// Every control (play, step, inject...) is a queued call into the worker thread.
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/view/cluster_view.h"
#include "sim/scenario.h"
#include "sim/session.h"

class QTimer;

namespace samsa::gui {

struct Snapshot {
  view::ClusterView view;
  std::vector<view::ClusterEvent> new_events;  // since the previous snapshot
  bool reset = false;                          // a new run: drop the events shown so far
  std::string scenario_name;
  uint64_t seed = 0;
  int64_t end_ns = 0;
  bool playing = false;
  bool at_end = false;
  double speed = 1.0;                          // 0: as fast as possible
};

// A snapshot of `session` now, with the events from `events_from` on.
std::shared_ptr<Snapshot> MakeSnapshot(sim::Session& session, size_t events_from);

class SessionWorker final : public QObject {
  Q_OBJECT

 public:
  explicit SessionWorker(QObject* parent = nullptr);
  ~SessionWorker() override;
  // Thread-safe: the UI took the last snapshot.
  void MarkConsumed() { ui_busy_.store(false); }

 public slots:
  void Open(std::shared_ptr<const sim::Scenario> scenario, quint64 seed);
  void Restart();
  void Play();
  void Pause();
  void StepEvent();
  void StepTime(qint64 duration_ns);
  void SetSpeed(double speed);  // simulated seconds per wall second; 0 = as fast as possible
  void Inject(std::shared_ptr<const sim::FaultStep> step);

 signals:
  void Published(std::shared_ptr<const samsa::gui::Snapshot> snapshot);
  void Failed(QString message);

 private:
  void Tick();
  void Publish(bool force);

  std::shared_ptr<const sim::Scenario> scenario_;
  uint64_t seed_ = 0;
  std::unique_ptr<sim::Session> session_;
  QTimer* timer_ = nullptr;
  bool playing_ = false;
  bool reset_pending_ = false;
  double speed_ = 1.0;
  size_t events_sent_ = 0;
  int64_t last_tick_wall_ns_ = 0;
  std::atomic<bool> ui_busy_{false};
};

}  // namespace samsa::gui

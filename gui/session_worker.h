#pragma once
// SessionWorker: owns the run's branches (each a Recording: a sim::Session and its sampled curves)
// on its own thread and publishes immutable Snapshots (a ClusterView, the events and samples
// since the previous snapshot, the branch tree) to the UI thread. While playing it
// advances the simulation by speed x wall time (or, at maximum speed, as far as ~20 ms of wall
// time allows) every tick (10 ms). A new snapshot is published only once the UI has taken the previous
// one (MarkConsumed), so the UI never queues up views and never waits for the simulator.
// Every control (play, step, inject, seek, branch...) is a queued call into the worker thread.
//
// Time travel: SeekTo moves the current branch to an instant (rewinding its session when it is
// in the past; scrubbing calls are coalesced: only the latest target runs). Branch starts a new
// branch at the current instant, holding the injections up to it; the branches form a tree and
// SwitchTo makes another one current (each keeps its own clock and curves).
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/view/cluster_view.h"
#include "sim/scenario.h"
#include "gui/recording.h"
#include "sim/session.h"

class QTimer;

namespace samsa::gui {

struct BranchInfo {
  int id = 0;
  int parent = -1;      // -1: the root (the scenario as written)
  int64_t from_ns = 0;  // where it left its parent
  int64_t now_ns = 0;
  size_t injections = 0;
};

struct Snapshot {
  view::ClusterView view;
  std::vector<view::ClusterEvent> new_events;  // since the previous snapshot
  bool reset = false;                          // a new run, a rewind or another branch: drop the
                                               // events shown so far
  // The current branch's samples: keep the first samples_from, then append new_samples.
  size_t samples_from = 0;
  std::vector<Sample> new_samples;
  std::vector<std::string> partition_names;    // the order of Sample::partitions
  int branch = 0;
  std::vector<BranchInfo> branches;
  bool stopped_at_caption = false;             // lesson mode: a pausing caption stopped the run
  uint64_t trace_hash = 0;                     // the session's trace hash so far
  std::vector<view::FrameView> frames;         // on the wire now, when the flow is shown
  std::string scenario_name;
  uint64_t seed = 0;
  int64_t end_ns = 0;
  bool playing = false;
  bool at_end = false;
  double speed = 1.0;                          // 0: as fast as possible
};

// A snapshot of `session` now, with the events from `events_from` on.
std::shared_ptr<Snapshot> MakeSnapshot(sim::Session& session, size_t events_from);
// The same, with the recording's samples from `samples_from` on.
std::shared_ptr<Snapshot> MakeSnapshot(Recording& recording, size_t events_from, size_t samples_from);

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
  // Time travel. RequestSeek is thread-safe: it records the target and queues one SeekTo.
  void RequestSeek(qint64 t_ns);
  void Branch();
  void SwitchTo(int branch);
  // Runs to the instant of the first violation (one the runtime checks name while running, or,
  // failing that, one the history check names at the end) and pauses there.
  void RunToFirstViolation();
  // Lesson mode (on by default): pausing captions stop the run.
  void SetLessonMode(bool on) { lesson_mode_ = on; }
  // Flow: snapshots carry the frames in flight.
  void SetFlow(bool on) {
    flow_ = on;
    Publish(true);
  }

 public:
  // Called on the worker thread (BlockingQueuedConnection from the UI).
  Result<std::string> SaveYaml(const std::string& original) const;
  Result<std::vector<view::LogRecordView>> ReadLog(int32_t node, const sim::PartitionRef& partition, int64_t from,
                                                   size_t max_records);
  Result<view::BrokerDetailsView> DescribeBroker(int32_t node);
  Result<view::RecordHistoryView> RecordHistory(const sim::PartitionRef& partition, const std::string& value);

 signals:
  void Published(std::shared_ptr<const samsa::gui::Snapshot> snapshot);
  void Failed(QString message);

 private:
  void Tick();
  void Publish(bool force);
  void DoSeek();
  // The current branch's session changed under the UI (rewind, switch): resend it all.
  void ResendAll();
  sim::Session* session() { return current_ ? &current_->session() : nullptr; }

  struct BranchState {
    std::unique_ptr<Recording> recording;
    BranchInfo info;
  };
  std::shared_ptr<const sim::Scenario> scenario_;
  uint64_t seed_ = 0;
  std::vector<BranchState> branches_;
  Recording* current_ = nullptr;
  int current_id_ = 0;
  QTimer* timer_ = nullptr;
  bool playing_ = false;
  bool reset_pending_ = false;
  bool stopped_at_caption_ = false;
  bool lesson_mode_ = true;
  bool flow_ = false;
  double speed_ = 1.0;
  size_t events_sent_ = 0;
  size_t samples_sent_ = 0;
  int64_t last_tick_wall_ns_ = 0;
  std::atomic<bool> ui_busy_{false};
  std::atomic<int64_t> seek_target_{-1};
};

}  // namespace samsa::gui

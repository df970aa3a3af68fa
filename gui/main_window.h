#pragma once
// MainWindow: samsa-gui's window. Live, it drives a SessionWorker on its own thread and applies
// the snapshots it publishes; headless (screenshots), ApplySnapshot is called directly. Panels:
// the caption banner, the cluster picture, the partitions table (sortable, filterable), the
// clients table and the timeline. Actions (menus, toolbar, a broker's context menu, shortcuts)
// all become session calls, so everything done here is recorded by the session.
#include <QMainWindow>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "gui/session_worker.h"

class QLabel;
class QLineEdit;
class QListView;
class QMessageBox;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;
class QThread;
class QComboBox;
class QToolBar;
class QAction;
class QMenu;
class QSlider;
class QTabWidget;

namespace samsa::gui {

class ClusterWidget;
class Inspector;
class LagChart;
class PartitionsModel;
class TimelineModel;

class MainWindow final : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(bool live, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Reads and checks a scenario file; on success opens it (live: in the worker), else shows its
  // errors in a dialog and keeps what was open. Returns whether it opened.
  bool OpenFile(const QString& path, std::optional<uint64_t> seed = std::nullopt);
  void ApplySnapshot(std::shared_ptr<const Snapshot> snapshot);
  // A fault on one node through the session (what the broker context menu does).
  void InjectOnNode(sim::FaultType type, int32_t node, int64_t for_ns = 0);
  void Inject(const sim::FaultStep& step);
  void SetRate(int32_t producer, int64_t rate_per_s);
  // Cuts a group of brokers from the other brokers (clients still reach them), for for_ns; with
  // one_way, only the group's messages to the others are dropped (it still hears them).
  void CutFromRest(const std::vector<int32_t>& brokers, int64_t for_ns, bool one_way = false);
  // The Brokers menu (and a broker's context menu): each action applies to the selected brokers.
  enum class BrokerAction { kShutdown, kCrash, kRestart, kPause, kResume, kIsolate, kSlowDisk, kBitFlip, kCut,
                            kCutOneWay, kHeal };
  void ActOnSelection(BrokerAction action);
  // The brokers selected in the cluster picture (click, Ctrl+click), ascending.
  std::vector<int32_t> SelectedBrokers() const;
  ClusterWidget& cluster_widget() const { return *cluster_; }
  void HealNetwork();
  int cluster_components() const;
  void AddConsumer(const std::string& topic, const std::string& from);
  // The shortcuts and mouse actions, as the help (F1) lists them.
  static QString HelpText();

  // Time travel (live): the current branch to instant t (rewound when in the past); a new branch
  // from the current instant; another branch current; another branch's curves overlaid on the
  // lag chart (-1: none).
  // While the session re-runs to t, the picture shows the view recorded nearest before t (one
  // per simulated second of each branch, from the snapshots shown), marked as a preview.
  void SeekTo(int64_t t_ns);
  // The instant of the preview shown now (-1: none, the picture is the session's own).
  int64_t preview_ns() const { return preview_ns_; }
  void BranchHere();
  void SwitchBranch(int branch);
  void SetCompareBranch(int branch);
  int compare_branch() const { return compare_branch_; }
  // The open scenario with this run's seed and every action taken, as `samsa-sim run` replays it.
  bool SaveSession(const QString& path);
  // The recorded samples of a branch (empty when it never was current).
  const std::vector<Sample>& samples(int branch) const;
  // Headless: another run's samples as branch `branch` (a saved session to overlay).
  void SetBranchSamples(int branch, std::vector<Sample> samples) { samples_[branch] = std::move(samples); }
  LagChart& lag_chart() const { return *chart_; }
  Inspector& inspector() const { return *inspector_; }
  // Shows the inspector on broker `id` (what a click on a broker does).
  void InspectBroker(int32_t id);
  // A headless window's inspector asks `session` directly (a live one asks through the worker).
  void SetHeadlessSession(sim::Session& session);
  void RedrawChart();
  // Presentation mode (F5): large type; only the caption, the cluster and the partitions.
  void SetPresentation(bool on);
  bool presentation() const { return presentation_; }
  // Presentation mode: the partitions table's type, the largest of kPresentationPx, 22, ... down
  // to kSmallestTablePx (its headers' no larger than kPresentationHeaderPx) at which its text
  // columns and the replica bars (PartitionBarsDelegate::MinWidth) fit its width without a scroll
  // bar, with the ISR and status cells on one line or, where only that fits, on two
  // (PartitionsModel::SetTwoLines). `may_grow` false only shrinks it when it no longer fits
  // (after new data), so that it does not flicker.
  void FitPartitionsType(bool may_grow);
  // The width the partitions table needs at its type: its text columns' and the bars' least.
  int PartitionsTableNeeds() const;
  // The same at type `px` (presentation mode's rule for the headers), on one line or two,
  // whichever needs less; the table left as it was.
  int PartitionsTableNeedsAt(int px);
  static constexpr int kPresentationPx = 24;
  static constexpr int kPresentationHeaderPx = 15;
  // The normal window's size: an old 1024x768 projector still shows every column whole.
  static constexpr int kSmallestTablePx = 12;
  // The scenario gallery lists the scenarios of this directory.
  void SetScenarioDir(const QString& dir) { scenario_dir_ = dir; }
  QWidget* ShowGallery();
  // The scenario that is open (OpenFile sets it; headless windows are given theirs), for the
  // explain line's setting values.
  void SetScenario(std::shared_ptr<const sim::Scenario> scenario) { scenario_ = std::move(scenario); }
  // A sweep or run report (samsa-sim --json): its seeds, failing first; clicking one opens that
  // run positioned at its first violation. Null (and an error dialog) for a file that is not one.
  QWidget* OpenReport(const QString& path);
  void OpenAtFirstViolation(const QString& scenario, uint64_t seed);
  QString explain_text() const;

  // Panels, for screenshots of one view.
  QWidget* cluster_panel() const;
  QWidget* partitions_panel() const;
  QWidget* timeline_panel() const;
  QWidget* chart_panel() const;
  QWidget* inspector_panel() const;
  const PartitionsModel& partitions_model() const { return *partitions_; }
  const TimelineModel& timeline_model() const { return *timeline_; }
  const Snapshot* last_snapshot() const { return last_.get(); }
  QMessageBox* error_box() const { return error_box_; }
  QString caption_text() const;
  // Wall time the last ApplySnapshot took on the UI thread (models and widgets updated; the
  // repaint itself comes after), for the GUI benchmark.
  int64_t last_apply_ns() const { return last_apply_ns_; }

 signals:
  void SnapshotApplied();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  // Presentation mode's type for the partitions table: `px` for the cells, at most
  // kPresentationHeaderPx for the headers; the ISR and status cells on one line or two.
  void ApplyPartitionsType(int px, bool two_lines);
  // The partitions table's row height for its type.
  void SizePartitionRows();

 private:
  void BuildUi();
  void BuildMenus();
  void ShowError(const QString& title, const QString& text);
  void UpdateRecent(const QString& path);
  void RebuildRecentMenu();
  void OnPublished(std::shared_ptr<const Snapshot> snapshot);
  void ShowNodeMenu(int32_t node, QPoint global_position);
  void BuildBrokersMenu();
  void BuildTimeBar();
  void UpdateTimeBar(const Snapshot& s);

  bool live_;
  QThread* thread_ = nullptr;
  SessionWorker* worker_ = nullptr;
  std::shared_ptr<const Snapshot> last_;
  std::optional<uint64_t> seed_;
  QString path_;

  QLabel* caption_ = nullptr;
  ClusterWidget* cluster_ = nullptr;
  PartitionsModel* partitions_ = nullptr;
  QSortFilterProxyModel* partitions_proxy_ = nullptr;
  QTableView* partitions_view_ = nullptr;
  QWidget* partitions_panel_ = nullptr;
  QLineEdit* filter_ = nullptr;
  QTableWidget* clients_ = nullptr;
  TimelineModel* timeline_ = nullptr;
  QListView* timeline_view_ = nullptr;
  QWidget* timeline_panel_ = nullptr;
  QComboBox* speed_ = nullptr;
  QAction* play_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QMenu* brokers_menu_ = nullptr;
  // Per client: (view time, records acknowledged or read) over about the last simulated second.
  std::map<int32_t, std::deque<std::pair<int64_t, uint64_t>>> ack_history_;
  QMessageBox* error_box_ = nullptr;
  int64_t last_apply_ns_ = 0;

  // Time travel and the lag chart.
  QSlider* slider_ = nullptr;
  QLabel* slider_label_ = nullptr;
  QComboBox* branch_box_ = nullptr;
  QComboBox* compare_box_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  LagChart* chart_ = nullptr;
  Inspector* inspector_ = nullptr;
  QLabel* explain_ = nullptr;
  QToolBar* time_bar_ = nullptr;
  QToolBar* run_bar_ = nullptr;
  std::map<int, std::vector<Sample>> samples_;  // by branch
  std::vector<std::string> partition_names_;
  std::vector<view::ClusterEvent> events_;     // the current branch's, for the chart
  int compare_branch_ = -1;
  bool chart_dirty_ = false;
  int64_t chart_drawn_wall_ns_ = 0;
  bool presentation_ = false;
  bool fitting_ = false;  // FitPartitionsType or PartitionsTableNeedsAt is running
  QString scenario_dir_;
  QString source_text_;  // the open scenario file's text, for Save session
  std::shared_ptr<const sim::Scenario> scenario_;
  bool jump_to_violation_ = false;
  // Recorded views for previews while seeking: per branch, per simulated second.
  std::map<int, std::map<int64_t, std::shared_ptr<const Snapshot>>> recorded_;
  int64_t preview_ns_ = -1;  // select the first violation in the timeline once it arrives
};

}  // namespace samsa::gui

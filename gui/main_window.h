#pragma once
// MainWindow: samsa-gui's window. Live, it drives a SessionWorker on its own thread and applies
// the snapshots it publishes; headless (screenshots), ApplySnapshot is called directly. Panels:
// the caption banner, the cluster picture, the partitions table (sortable, filterable), the
// clients table and the timeline. Actions (menus, toolbar, a broker's context menu, shortcuts)
// all become session calls, so everything done here is recorded by the session.
#include <QMainWindow>

#include <cstdint>
#include <deque>
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
class QAction;
class QMenu;

namespace samsa::gui {

class ClusterWidget;
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

  // Panels, for screenshots of one view.
  QWidget* cluster_panel() const;
  QWidget* partitions_panel() const;
  QWidget* timeline_panel() const;
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

 private:
  void BuildUi();
  void BuildMenus();
  void ShowError(const QString& title, const QString& text);
  void UpdateRecent(const QString& path);
  void RebuildRecentMenu();
  void OnPublished(std::shared_ptr<const Snapshot> snapshot);
  void ShowNodeMenu(int32_t node, QPoint global_position);
  void BuildBrokersMenu();

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
};

}  // namespace samsa::gui

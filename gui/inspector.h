#pragma once
// Inspector: the selected broker (its Raft epoch and role, its partitions as leader and as
// follower, its lifecycle, its effective configuration with each value's source, its log
// segments) and a replica's records, read through the session. A record can be followed: when
// its producer sent it and had it acknowledged and when each consumer read it (the clients'
// history), and when each replica's log end, the high watermark and the leader's durable offset
// passed its offset (the recorded samples, to the nearest 0.1 s).
#include <QWidget>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/view/cluster_view.h"
#include "gui/recording.h"
#include "sim/scenario.h"
#include "sim/session.h"

class QComboBox;
class QLabel;
class QSpinBox;
class QTableWidget;

namespace samsa::gui {

using LogReader = std::function<Result<std::vector<view::LogRecordView>>(int32_t node, const sim::PartitionRef& partition,
                                                                         int64_t from, size_t max_records)>;

using BrokerDescriber = std::function<Result<view::BrokerDetailsView>(int32_t node)>;
using RecordHistorian = std::function<Result<view::RecordHistoryView>(const sim::PartitionRef&, const std::string& value)>;

// What the inspector asks the session. A live window asks through the worker thread; a headless
// one asks its session directly (QueriesOf).
struct SessionQueries {
  LogReader read_log;
  BrokerDescriber describe_broker;
  RecordHistorian record_history;
};
SessionQueries QueriesOf(sim::Session& session);

// What the samples say of one offset of one partition: the first sample instant at which each
// thing held (-1: not yet).
struct RecordJourney {
  std::vector<std::pair<int32_t, int64_t>> replica_got;    // (broker, first instant its log end passed it)
  int64_t committed_ns = -1;                               // the high watermark passed it
  int64_t durable_ns = -1;                                 // the leader's durable offset passed it
  std::vector<std::pair<int32_t, int64_t>> consumer_read;  // (consumer, first instant its position passed it)
};
RecordJourney FollowRecord(const std::vector<Sample>& samples, size_t partition_index, int32_t partition, int64_t offset);

class Inspector final : public QWidget {
  Q_OBJECT

 public:
  explicit Inspector(QWidget* parent = nullptr);
  void SetQueries(SessionQueries queries) { queries_ = std::move(queries); }
  // The latest view and the current branch's samples (read when shown or followed; not kept).
  void SetView(std::shared_ptr<const view::ClusterView> view, const std::vector<Sample>* samples,
               const std::vector<std::string>* partition_names);
  // Shows broker `id` (from the cluster picture's selection); -1 clears it.
  void ShowBroker(int32_t id);
  // Reads the records of `partition` on `broker` from `from` into the table.
  bool ReadRecords(const std::string& partition, int32_t broker, int64_t from);
  // Follows the record on table row `row`; returns the text shown.
  QString Follow(int row);

  QString broker_text() const;
  const QTableWidget& records() const { return *records_; }
  const QTableWidget& config() const { return *config_; }
  const QTableWidget& segments() const { return *segments_; }

 private:
  void showEvent(QShowEvent* event) override;
  void Refresh();
  void RefreshBroker();
  void RefreshReplicas();

  void RefreshDetails();

  SessionQueries queries_;
  QTableWidget* config_ = nullptr;
  QTableWidget* segments_ = nullptr;
  std::shared_ptr<const view::ClusterView> view_;
  const std::vector<Sample>* samples_ = nullptr;
  const std::vector<std::string>* partition_names_ = nullptr;
  int32_t broker_ = -1;
  QLabel* broker_label_ = nullptr;
  QComboBox* partition_ = nullptr;
  QComboBox* replica_ = nullptr;
  QSpinBox* from_ = nullptr;
  QTableWidget* records_ = nullptr;
  QLabel* follow_ = nullptr;
  std::string read_partition_;  // of the records shown
};

}  // namespace samsa::gui

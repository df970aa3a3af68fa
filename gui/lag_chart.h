#pragma once
// LagChart: the lag chart panel (Qt Charts). Top: one partition's high watermark, durable offset
// and each consumer's position over simulated time. Bottom: each consumer's lag and the ISR sizes
// summed over every partition, with another branch's curves overlaid (dashed) for "what if".
// Fault periods are shaded on both; elections, ISR changes and violations are marked on the time
// axis. The series export as CSV. Fed by MainWindow from the recorded samples; redrawn on demand.
#include <QList>
#include <QPointF>
#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

#include "core/view/cluster_view.h"
#include "gui/recording.h"

class QChart;
class QChartView;
class QComboBox;
class QLabel;

namespace samsa::gui {

class LagChart final : public QWidget {
  Q_OBJECT

 public:
  explicit LagChart(QWidget* parent = nullptr);

  struct Data {
    const std::vector<Sample>* samples = nullptr;
    const std::vector<std::string>* partition_names = nullptr;
    const std::vector<view::ClusterEvent>* events = nullptr;
    int branch = 0;
    const std::vector<Sample>* compare = nullptr;  // another branch's samples, or null
    int compare_branch = -1;
  };
  // Redraws from `data` (read now, not kept).
  void Redraw(const Data& data);
  // The partition drawn in the top chart ("" until there is one).
  QString partition() const;
  void SetPartition(const QString& name);
  // Every series drawn, as CSV: series,t_s,value (a compared branch's series name it).
  QString Csv() const;
  bool SaveCsv(const QString& path) const;
  // Series drawn now (name -> points), for tests.
  int SeriesCount() const;
  std::vector<QString> SeriesNames() const;
  int ShadedPeriods() const { return shaded_; }
  // The upper chart (offsets) and the lower one (lag and ISR size), for tests.
  const QChart* offsets_chart() const;
  const QChart* lag_and_isr_chart() const;

 signals:
  void PartitionChanged();

 private:
  QChartView* offsets_view_ = nullptr;
  QChartView* lag_view_ = nullptr;
  QComboBox* partition_ = nullptr;
  QLabel* legend_note_ = nullptr;
  int shaded_ = 0;
  std::vector<std::pair<QString, QList<QPointF>>> csv_rows_;
};

// The fault periods among `events`: [start, end) in ns, a fault from its event to the revert that
// names the same nodes (or the next heal-everything); one that was never reverted and lasts until
// reverted (crash, pause, partition...) ends at `until_ns`.
std::vector<std::pair<int64_t, int64_t>> FaultPeriods(const std::vector<view::ClusterEvent>& events, int64_t until_ns);

}  // namespace samsa::gui

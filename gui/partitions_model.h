#pragma once
// PartitionsModel: one row per partition of the latest ClusterView: its name, leader, leader
// epoch, replicas, ISR (out-of-sync replicas marked with *), status (ok, under-replicated,
// offline) and, in the last column, the replicas' offsets for PartitionBarsDelegate to draw.
// Sorting and filtering are a QSortFilterProxyModel's job (MainWindow).
#include <QAbstractTableModel>

#include <vector>

#include "core/view/cluster_view.h"

namespace samsa::gui {

class PartitionsModel final : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kPartition, kLeader, kEpoch, kReplicas, kIsr, kStatus, kLog, kColumns };
  // The row's PartitionView (its address as a quintptr, valid until the next SetView).
  static constexpr int kPartitionRole = Qt::UserRole + 1;
  // Sorting key of the row for its column (numbers sort as numbers).
  static constexpr int kSortRole = Qt::UserRole + 2;
  // The cell's text on one line whatever SetTwoLines says (what the filter matches).
  static constexpr int kFilterRole = Qt::UserRole + 3;

  explicit PartitionsModel(QObject* parent = nullptr);

  void SetView(const view::ClusterView& view);
  // Two lines for the ISR ("1,3" over "out: 2*") and the status ("under-" over "replicated"):
  // narrower columns in rows that are three replicas high (presentation mode in a narrow window).
  void SetTwoLines(bool on);
  bool two_lines() const { return two_lines_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // For tests and the delegate.
  const view::PartitionView& partition(int row) const { return rows_[size_t(row)]; }
  static QString Status(const view::PartitionView& p);
  // A cell's text (none for the bars' column), the ISR and status on two lines if `two_lines`.
  static QString Text(const view::PartitionView& p, int column, bool two_lines);

 private:
  std::vector<view::PartitionView> rows_;
  bool two_lines_ = false;
};

}  // namespace samsa::gui

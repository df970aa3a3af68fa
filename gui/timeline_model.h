#pragma once
// TimelineModel: the session's cluster events in order (captions, faults, elections with their
// cause, ISR changes, controller changes, verdicts, violations), one row each, as text.
#include <QAbstractListModel>

#include <vector>

#include "core/view/cluster_view.h"

namespace samsa::gui {

class TimelineModel final : public QAbstractListModel {
  Q_OBJECT

 public:
  static constexpr int kKindRole = Qt::UserRole + 1;  // the event's kind (view::EventKind as int)
  static constexpr int kTimeRole = Qt::UserRole + 2;  // its simulated time (ns, qlonglong)

  explicit TimelineModel(QObject* parent = nullptr);
  void Clear();
  void Append(const std::vector<view::ClusterEvent>& events);
  // The first violation's row, or -1.
  int FirstViolationRow() const;
  const view::ClusterEvent& event(int row) const { return events_[size_t(row)]; }

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

 private:
  std::vector<view::ClusterEvent> events_;
};

}  // namespace samsa::gui

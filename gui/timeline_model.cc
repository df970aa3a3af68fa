#include "gui/timeline_model.h"

#include <QBrush>
#include <QFont>

#include "gui/palette.h"
#include "sim/view_json.h"

namespace samsa::gui {

TimelineModel::TimelineModel(QObject* parent) : QAbstractListModel(parent) {}

void TimelineModel::Clear() {
  beginResetModel();
  events_.clear();
  endResetModel();
}

void TimelineModel::Append(const std::vector<view::ClusterEvent>& events) {
  if (events.empty()) return;
  beginInsertRows({}, int(events_.size()), int(events_.size() + events.size()) - 1);
  events_.insert(events_.end(), events.begin(), events.end());
  endInsertRows();
}

int TimelineModel::FirstViolationRow() const {
  for (size_t i = 0; i < events_.size(); ++i)
    if (events_[i].kind == view::EventKind::kViolation) return int(i);
  return -1;
}

int TimelineModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(events_.size()); }

QVariant TimelineModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(events_.size())) return {};
  const view::ClusterEvent& e = events_[size_t(index.row())];
  switch (role) {
    case Qt::DisplayRole: return QString::fromStdString(sim::FormatEventLine(e));
    case kKindRole: return int(e.kind);
    case kTimeRole: return qlonglong(e.at_ns);
    case Qt::ForegroundRole:
      // A violation the scenario allows (tolerate/expect) is a teaching point, not a failure.
      if ((e.kind == view::EventKind::kViolation && !e.allowed) || (e.kind == view::EventKind::kExpectation && !e.passed))
        return QBrush(Palette::Vermillion());
      if (e.kind == view::EventKind::kFault) return QBrush(Palette::Blue());
      return {};
    case Qt::FontRole:
      if (e.kind == view::EventKind::kCaption || e.kind == view::EventKind::kViolation ||
          e.kind == view::EventKind::kLeaderElected) {
        QFont f;
        f.setBold(true);
        return f;
      }
      return {};
    default: return {};
  }
}

}  // namespace samsa::gui

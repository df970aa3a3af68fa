#include "gui/partitions_model.h"

#include <QBrush>
#include <QStringList>

#include "gui/palette.h"
#include "gui/partition_bars_delegate.h"

namespace samsa::gui {

namespace {

QString Ids(const std::vector<int32_t>& ids) {
  QStringList parts;
  for (int32_t id : ids) parts << QString::number(id);
  return parts.isEmpty() ? QStringLiteral("-") : parts.join(QStringLiteral(","));
}

QString Name(const view::PartitionView& p) {
  return QStringLiteral("%1-%2").arg(QString::fromStdString(p.topic)).arg(p.partition);
}

}  // namespace

PartitionsModel::PartitionsModel(QObject* parent) : QAbstractTableModel(parent) {}

QString PartitionsModel::Status(const view::PartitionView& p) {
  if (p.leader < 0) return QStringLiteral("OFFLINE");
  if (p.isr.size() < p.replicas.size()) return QStringLiteral("under-replicated");
  return QStringLiteral("ok");
}

void PartitionsModel::SetView(const view::ClusterView& view) {
  std::vector<view::PartitionView> rows;
  for (const view::TopicView& t : view.topics)
    for (const view::PartitionView& p : t.partitions) rows.push_back(p);
  bool same_keys = rows.size() == rows_.size();
  for (size_t i = 0; same_keys && i < rows.size(); ++i)
    same_keys = rows[i].topic == rows_[i].topic && rows[i].partition == rows_[i].partition;
  if (!same_keys) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
    return;
  }
  rows_ = std::move(rows);
  if (!rows_.empty()) emit dataChanged(index(0, 0), index(int(rows_.size()) - 1, kColumns - 1));
}

int PartitionsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int PartitionsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumns; }

QString PartitionsModel::Text(const view::PartitionView& p, int column, bool two_lines) {
  switch (column) {
    case kPartition: return Name(p);
    case kLeader: return p.leader < 0 ? QStringLiteral("none") : QString::number(p.leader);
    case kEpoch: return QString::number(p.leader_epoch);
    case kReplicas: return Ids(p.replicas);
    case kIsr: {
      QStringList in;
      QStringList out;
      for (int32_t r : p.replicas) {
        const bool in_sync = std::find(p.isr.begin(), p.isr.end(), r) != p.isr.end();
        (in_sync ? in : out) << QString::number(r) + (in_sync ? "" : "*");
      }
      QString text = in.isEmpty() ? QStringLiteral("-") : in.join(",");
      if (!out.isEmpty())
        text += (two_lines ? QStringLiteral("\nout: %1") : QStringLiteral("  (out: %1)")).arg(out.join(","));
      return text;
    }
    case kStatus: {
      const QString status = Status(p);
      return two_lines && status == "under-replicated" ? QStringLiteral("under-\nreplicated") : status;
    }
    default: return {};
  }
}

void PartitionsModel::SetTwoLines(bool on) {
  if (on == two_lines_) return;
  two_lines_ = on;
  if (!rows_.empty()) emit dataChanged(index(0, kIsr), index(int(rows_.size()) - 1, kStatus), {Qt::DisplayRole});
}

QVariant PartitionsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(rows_.size())) return {};
  const view::PartitionView& p = rows_[size_t(index.row())];
  const QString status = Status(p);
  switch (role) {
    case Qt::DisplayRole:
      if (index.column() == kEpoch) return p.leader_epoch;
      if (index.column() == kLog) return {};  // the delegate draws the bars
      return Text(p, index.column(), two_lines_);
    case kFilterRole: return Text(p, index.column(), /*two_lines=*/false);
    case kSortRole:
      switch (index.column()) {
        case kPartition: return QStringLiteral("%1-%2").arg(QString::fromStdString(p.topic)).arg(p.partition, 6, 10, QChar('0'));
        case kLeader: return p.leader;
        case kEpoch: return p.leader_epoch;
        case kIsr: return int(p.isr.size());
        case kStatus: return status == "OFFLINE" ? 0 : status == "under-replicated" ? 1 : 2;
        case kLog: {
          qlonglong hw = -1;
          for (const auto& r : p.replica_views)
            if (r.is_leader) hw = r.high_watermark;
          return hw;
        }
        default: return data(index, Qt::DisplayRole);
      }
    case kPartitionRole: return QVariant::fromValue(reinterpret_cast<quintptr>(&p));
    case Qt::BackgroundRole:
      if (status == "OFFLINE") return QBrush(Palette::Vermillion().lighter(170));
      if (status == "under-replicated") return QBrush(Palette::Orange().lighter(160));
      return {};
    case Qt::ToolTipRole:
      switch (index.column()) {
        case kIsr:
          return QStringLiteral("ISR (in-sync replicas): the replicas caught up with the leader; only they may "
                                "become leader in a clean election. * marks a replica out of sync.");
        case kEpoch:
          return QStringLiteral("Leader epoch: goes up by one at every leader change; followers use it to find "
                                "where their log diverged.");
        case kLog:
          return QStringLiteral(
              "Per replica: LEO (log end offset) is the next offset it will write; HW (high watermark) is the "
              "offset below which records are committed and readable; durable is what has been flushed to disk "
              "and survives a crash. The axis shows the head of the log.");
        case kStatus:
          return QStringLiteral("under-replicated: some replica is out of the ISR; OFFLINE: no leader.");
        default: return {};
      }
    default: return {};
  }
}

QVariant PartitionsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::ToolTipRole && section == kLog)
    return QStringLiteral(
        "Each replica's log over the last %1 offsets of the partition: the bar reaches its log end offset "
        "(LEO), its dark part is flushed to disk (durable), and the black line is the high watermark (HW) "
        "it knows. After the bar: \"head\", or how many offsets its log end is behind the head.")
        .arg(PartitionBarsDelegate::kWindow);
  if (role != Qt::DisplayRole) return {};
  switch (section) {
    case kPartition: return QStringLiteral("Partition");
    case kLeader: return QStringLiteral("Leader");
    case kEpoch: return QStringLiteral("Epoch");
    case kReplicas: return QStringLiteral("Replicas");
    case kIsr: return QStringLiteral("ISR");
    case kStatus: return QStringLiteral("Status");
    case kLog:
      return QStringLiteral("Replicas at the head of the log\nbar: log end · dark: durable\nblack line: high watermark");
  }
  return {};
}

}  // namespace samsa::gui

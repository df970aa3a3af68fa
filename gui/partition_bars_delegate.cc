#include "gui/partition_bars_delegate.h"

#include <QFontMetrics>
#include <QPainter>

#include <algorithm>

#include "core/view/cluster_view.h"
#include "gui/palette.h"
#include "gui/partitions_model.h"

namespace samsa::gui {

namespace {
const view::PartitionView* PartitionOf(const QModelIndex& index) {
  return reinterpret_cast<const view::PartitionView*>(index.data(PartitionsModel::kPartitionRole).value<quintptr>());
}
}  // namespace

QSize PartitionBarsDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
  const view::PartitionView* p = PartitionOf(index);
  const int replicas = p ? int(p->replica_views.size()) : 1;
  return QSize(360, CellPx(option.font, replicas));
}

int PartitionBarsDelegate::RowPx(const QFont& font) { return std::max(kReplicaRowPx, QFontMetrics(font).height() + 2); }

namespace {
// The cell's margins (paint's area), the replica label's column and the number's after the bar.
constexpr int kMarginPx = 12;
int LabelPx(const QFontMetrics& fm) { return std::max(78, fm.horizontalAdvance(QStringLiteral("broker 10 L")) + 6); }
int NumberPx(const QFontMetrics& fm) {
  return std::max(56, std::max(fm.horizontalAdvance(QStringLiteral("-99999")), fm.horizontalAdvance(QStringLiteral("head"))) + 6);
}
}  // namespace

int PartitionBarsDelegate::MinWidth(const QFont& font) {
  const QFontMetrics fm(font);
  return kMarginPx + LabelPx(fm) + NumberPx(fm) + kMinBarPx;
}

void PartitionBarsDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  QStyledItemDelegate::paint(painter, option, index);  // background and selection
  const view::PartitionView* p = PartitionOf(index);
  if (p == nullptr) return;
  int64_t head = 0;
  for (const view::ReplicaView& r : p->replica_views) head = std::max(head, r.log_end_offset);
  const int64_t from = std::max<int64_t>(0, head - kWindow);
  const int64_t span = std::max<int64_t>(1, head - from);
  painter->save();
  const QRect area = option.rect.adjusted(4, 2, 4 - kMarginPx, -2);
  const QFontMetrics fm(option.font);
  const int row_px = RowPx(option.font);
  const int label_px = LabelPx(fm);
  const int number_px = NumberPx(fm);
  const int bar_left = area.left() + label_px;
  const int bar_width = std::max(10, area.width() - label_px - number_px);
  auto x_of = [&](int64_t offset) {
    return bar_left + int(double(std::clamp(offset, from, head) - from) * bar_width / double(span));
  };
  int y = area.top();
  for (const view::ReplicaView& r : p->replica_views) {
    const QRect row(area.left(), y, area.width(), row_px - 2);
    const QString mark = r.is_leader ? QStringLiteral(" L") : r.in_isr ? QString() : QStringLiteral(" *");
    painter->setPen(r.in_isr || r.is_leader ? option.palette.color(QPalette::Text) : Palette::Vermillion());
    painter->drawText(QRect(row.left(), row.top(), label_px - 4, row.height()), Qt::AlignVCenter | Qt::AlignLeft,
                      QStringLiteral("broker %1%2").arg(r.broker).arg(mark));
    if (!r.online) {
      painter->setPen(Palette::Grey());
      // No bar and no number: the word has both their room (wider than the bar in large type).
      painter->drawText(QRect(bar_left, row.top(), bar_width + number_px, row.height()),
                        Qt::AlignVCenter | Qt::AlignLeft, QStringLiteral("offline"));
    } else {
      const int top = row.top() + 2;
      const int height = row.height() - 4;
      const QColor fill = r.in_isr || r.is_leader ? Palette::LogEnd() : Palette::OutOfSync();
      painter->fillRect(QRect(bar_left, top, x_of(r.log_end_offset) - bar_left, height), fill);
      painter->fillRect(QRect(bar_left, top, x_of(r.durable_offset) - bar_left, height), Palette::Durable());
      painter->setPen(QPen(Palette::HighWatermark(), 2));
      const int hx = x_of(r.high_watermark);
      painter->drawLine(hx, row.top(), hx, row.bottom());
      painter->setPen(option.palette.color(QPalette::Text));
      const int64_t behind = head - r.log_end_offset;
      painter->drawText(QRect(bar_left + bar_width + 4, row.top(), number_px - 4, row.height()),
                        Qt::AlignVCenter | Qt::AlignLeft,
                        behind == 0 ? QStringLiteral("head") : QStringLiteral("-%1").arg(behind));
    }
    y += row_px;
  }
  painter->restore();
}

}  // namespace samsa::gui

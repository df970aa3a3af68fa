#pragma once
// Draws PartitionsModel's log column: one bar per replica over the head of the log (the last
// kWindow offsets up to the partition's largest log end offset): the bar reaches the replica's
// log end offset, its dark part is what is durable (flushed), a black tick marks the high
// watermark it knows, and the number after the bar is how far its log end is behind the head.
// The leader is marked L; a replica out of the ISR is drawn in orange and marked *; an offline
// replica is written "offline". A follower 50 offsets behind is plainly visible.
#include <QStyledItemDelegate>

namespace samsa::gui {

class PartitionBarsDelegate final : public QStyledItemDelegate {
  Q_OBJECT

 public:
  static constexpr int64_t kWindow = 2000;
  static constexpr int kReplicaRowPx = 16;
  // The height of one replica's row in `font` (at least kReplicaRowPx).
  static int RowPx(const QFont& font);
  // The height of a cell holding `replicas` replicas' rows in `font`.
  static int CellPx(const QFont& font, int replicas) { return 4 + replicas * RowPx(font); }
  // The narrowest cell that shows, in `font`, every label and number whole and a bar of
  // kMinBarPx (presentation mode fits the table's type to it).
  static int MinWidth(const QFont& font);
  static constexpr int kMinBarPx = 60;

  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace samsa::gui

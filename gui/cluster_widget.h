#pragma once
// ClusterWidget: the cluster picture. Brokers are rounded boxes labelled with their id, roles
// (active controller, voter, broker) and state (up, DOWN, PAUSED, FENCED): the state is written
// and shaped (a down broker is drawn dashed and hollow, a paused one with a pause bar), not only
// coloured; voters have square corners, brokers round ones, the active controller a thick outline.
// Producers and consumers are small circles labelled P/C, their id and rate or lag. Links between
// brokers are lines: a link cut both ways is red, dashed and crossed; a one-way cut is red and
// dashed with an arrow in the direction that still works; a clogged link is dotted orange, a
// slowed one thick orange. Clients have faint lines to the brokers they can reach. Positions come
// from ClusterLayout.
#include <QWidget>

#include <set>
#include <vector>

#include "core/view/cluster_view.h"
#include "gui/cluster_layout.h"

namespace samsa::gui {

class ClusterWidget final : public QWidget {
  Q_OBJECT

 public:
  explicit ClusterWidget(QWidget* parent = nullptr);
  void SetView(const view::ClusterView& view);
  const ClusterLayout& layout_engine() const { return layout_; }
  // The broker or client under a point (widget coordinates), or -1.
  int32_t NodeAt(QPoint point) const;
  // Where a broker's box and a client's label are drawn (widget coordinates; empty when the
  // node is not in the picture).
  QRectF BrokerRect(int32_t broker) const;
  QRectF ClientLabelRect(int32_t client) const;
  // Brokers selected by clicking (Ctrl+click adds or removes one), drawn with a blue halo.
  const std::set<int32_t>& selection() const { return selected_; }
  void Select(std::set<int32_t> brokers);
  // Flow: the frames on the wire now, drawn along their links (requests filled, responses
  // hollow, coloured by API, labelled); empty hides the flow.
  void SetFrames(std::vector<view::FrameView> frames);
  size_t frames_drawn() const { return frames_drawn_; }
  QSize sizeHint() const override { return QSize(480, 400); }
  // The type the picture is drawn in: the widget's, made smaller (not below 12 px) while boxes
  // would overlap each other or a client's label (presentation mode on a small screen).
  const QFont& picture_font() const { return picture_font_; }

 signals:
  void NodeContextMenu(int32_t node, QPoint global_position);
  // A left click on a broker (-1: on nothing).
  void BrokerClicked(int32_t broker);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void changeEvent(QEvent* event) override;

 private:
  QPointF Place(int32_t node) const;
  // Chooses picture_font_ and the clients' heights (client_y_) for the view, size and font.
  void Refit();
  void PlaceClients();
  bool Crowded() const;  // a box overlaps another box or a client
  // What a client centred at `centre` covers: its circle and its label.
  QRectF ClientArea(QPointF centre) const;
  // Sizes measured from picture_font_ (by Measure, in Refit); compact: boxes only as wide as
  // their text.
  void Measure(bool compact);
  QSizeF BoxSize() const { return metrics_.box; }  // of a broker
  double ClientRadius() const { return metrics_.client_radius; }
  double ClientLabelWidth() const { return metrics_.client_label_width; }  // a client's two-line label

  view::ClusterView view_;
  ClusterLayout layout_;
  std::map<int32_t, NodePlace> places_;
  QFont picture_font_;
  struct Metrics {
    QSizeF box;
    double line = 0;  // one line of picture_font_
    double client_radius = 0;
    double client_label_width = 0;
  } metrics_;
  std::map<int32_t, double> client_y_;  // by PlaceClients
  bool spread_ = false;                  // brokers spread over the whole picture (by Refit)
  std::set<int32_t> selected_;
  std::vector<view::FrameView> frames_;
  size_t frames_drawn_ = 0;
};

}  // namespace samsa::gui

#include "gui/cluster_widget.h"

#include <QContextMenuEvent>
#include <QMouseEvent>
#include <QEvent>
#include <QFontInfo>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>
#include <tuple>

#include "gui/palette.h"

namespace samsa::gui {

namespace {
}

namespace {

// `f` made `points` points larger (or smaller), in pixels when it is sized in pixels (a fitted
// picture font is): a font has either a point size or a pixel size.
QFont Resized(QFont f, double points) {
  if (f.pointSizeF() > 0) f.setPointSizeF(std::max(6.0, f.pointSizeF() + points));
  else f.setPixelSize(std::max(8, f.pixelSize() + int(std::lround(points * 4 / 3))));
  return f;
}

}  // namespace

void ClusterWidget::Measure(bool compact) {
  // Text is measured here, once per font, size and broker count, not per box and paint.
  const QFontMetricsF fm(picture_font_);
  // Smaller boxes when many brokers share the picture.
  const double n = std::max<double>(1, double(view_.brokers.size()));
  // Never narrower than the widest text it may hold (presentation mode uses large type), so that
  // a box keeps its size whatever its state: the roles, the bold state (paint draws it inset 4 px
  // a side, in a box whose rounded corners take a few more) and the bold title one point larger.
  QFont bold = picture_font_;
  bold.setBold(true);
  const QFont title = Resized(bold, 1);
  const double text_w = std::max({fm.horizontalAdvance(QStringLiteral("active controller")),
                                  fm.horizontalAdvance(QStringLiteral("controller voter")),
                                  QFontMetricsF(bold).horizontalAdvance(QStringLiteral("PAUSED, FENCED")),
                                  QFontMetricsF(title).horizontalAdvance(QStringLiteral("controller 000"))}) +
                        2 * 4 + 2 * 6;
  const double text_h = 3 * fm.height() + 10;
  // Compact (a crowded picture): as wide as the text, without the floor that a wide panel gives.
  const double w = compact ? text_w : std::max(text_w, std::clamp(width() * 0.68 / (std::sqrt(n) + 1.2), 96.0, 150.0));
  metrics_.box = QSizeF(w, std::max({58.0, w * 0.47, text_h}));
  metrics_.line = fm.height();
  metrics_.client_radius = std::max(18.0, fm.height() * 0.95);
  metrics_.client_label_width = fm.horizontalAdvance(QStringLiteral("consumer 10000")) + 8;
}

ClusterWidget::ClusterWidget(QWidget* parent) : QWidget(parent), picture_font_(font()) {
  setMinimumSize(360, 260);
  setAutoFillBackground(true);
  Refit();
}

void ClusterWidget::SetView(const view::ClusterView& view) {
  view_ = view;
  // The fit depends only on the places (which hold every broker), the size and the font.
  if (const std::map<int32_t, NodePlace>& places = layout_.Layout(view_); places != places_) {
    places_ = places;
    Refit();
  }
  update();
}

void ClusterWidget::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  Refit();
}

void ClusterWidget::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::FontChange) Refit();
}

bool ClusterWidget::Crowded() const {
  std::vector<QRectF> boxes, clients;
  for (const auto& [id, place] : places_) {
    if (place.component >= 0) boxes.push_back(BrokerRect(id));
    else clients.push_back(ClientArea(Place(id)));
  }
  for (size_t i = 0; i < boxes.size(); ++i) {
    for (size_t j = i + 1; j < boxes.size(); ++j)
      if (boxes[i].adjusted(-4, -4, 4, 4).intersects(boxes[j])) return true;  // a gap between boxes
    for (const QRectF& c : clients)
      if (boxes[i].intersects(c)) return true;
  }
  return false;
}

void ClusterWidget::Refit() {
  // The widget's type, smaller while boxes would overlap each other or a client (large type in a
  // small panel, or many brokers), but never below the window's usual 12 px.
  // At each size, the layout as it is first, then spread over the whole picture, then spread
  // with boxes only as wide as their text.
  picture_font_ = font();
  const int wanted = QFontInfo(picture_font_).pixelSize();
  for (int px = wanted;; px = std::max(12, px * 9 / 10)) {
    if (px != wanted) picture_font_.setPixelSize(px);
    for (auto [spread, compact] : {std::pair{false, false}, std::pair{true, false}, std::pair{true, true}}) {
      Measure(compact);
      spread_ = spread;
      PlaceClients();
      if (!Crowded()) return;
    }
    if (px <= 12) return;  // nothing fits: the smallest type, spread and compact
  }
}

void ClusterWidget::SetFrames(std::vector<view::FrameView> frames) {
  frames_ = std::move(frames);
  update();
}

QPointF ClusterWidget::Place(int32_t node) const {
  auto it = places_.find(node);
  if (it == places_.end()) return QPointF(width() / 2.0, height() / 2.0);
  const NodePlace& n = it->second;
  if (n.component < 0) {
    auto y = client_y_.find(node);
    return QPointF(n.x * width(), y != client_y_.end() ? y->second : n.y * height());
  }
  // The brokers' span: narrowed when a box would reach a client column's labels (large type
  // makes boxes and labels wider than the fractions the layout works in); spread over all the
  // room there is when the picture is crowded (spread_, see Refit); else as laid out.
  double min_x = 1, max_x = 0, min_y = 1, max_y = 0, client_x = -1;
  for (const auto& [id, place] : places_) {
    if (place.component < 0) {
      client_x = std::max(client_x, std::min(place.x, 1 - place.x));
    } else {
      min_x = std::min(min_x, place.x), max_x = std::max(max_x, place.x);
      min_y = std::min(min_y, place.y), max_y = std::max(max_y, place.y);
    }
  }
  const QSizeF box = BoxSize();
  double lo = box.width() / 2 + 4;
  if (client_x >= 0) {
    // A client's label is centred under it but kept inside the picture (see ClientLabelRect).
    // Spread, the brokers keep clear of the clients' circles only: the clients then move up or
    // down their columns to where their labels cover no box (PlaceClients).
    const double cx = client_x * width(), label = ClientLabelWidth();
    lo += (spread_ ? cx + ClientRadius() : std::max({cx + label / 2, label, cx + ClientRadius()})) + 2;
  }
  const double hi = width() - lo;
  const double from = min_x * width(), to = max_x * width();
  const double new_from = spread_ ? lo : std::max(from, lo), new_to = spread_ ? hi : std::min(to, hi);
  double x = n.x * width(), y = n.y * height();
  if ((new_from != from || new_to != to) && new_to > new_from)
    x = to > from ? new_from + (x - from) / (to - from) * (new_to - new_from) : (new_from + new_to) / 2;
  const double top = box.height() / 2 + 4, bottom = height() - top;
  if (spread_ && max_y > min_y && bottom > top) y = top + (n.y - min_y) / (max_y - min_y) * (bottom - top);
  return QPointF(x, y);
}

QRectF ClusterWidget::ClientArea(QPointF centre) const {
  // The circle and the label under it (as ClientLabelRect draws it).
  const double r = ClientRadius(), w = std::max(2 * r, ClientLabelWidth());
  const double h = r + 2 + 2 * metrics_.line + 4;
  const double x = std::clamp(centre.x() - w / 2, 0.0, std::max(0.0, width() - w));
  return QRectF(std::min(x, centre.x() - r), centre.y() - r, std::max(w, 2 * r), r + h);
}

void ClusterWidget::PlaceClients() {
  // Each client where the layout puts it, unless that covers a broker's box (large type in a
  // small panel leaves the brokers no room beside the client columns): then the nearest height in
  // its column clear of every box and of the clients placed before it (lower ids). Nowhere clear:
  // as laid out.
  client_y_.clear();
  std::vector<QRectF> taken;
  for (const auto& [id, place] : places_)
    if (place.component >= 0) taken.push_back(BrokerRect(id));
  const double top = ClientRadius() + 2, bottom = height() - ClientArea(QPointF(0, 0)).bottom() - 2;
  const double step = std::max(4.0, height() / 100.0);
  for (const auto& [id, n] : places_) {
    if (n.component >= 0) continue;
    const double x = n.x * width(), laid_out = n.y * height();
    auto clear = [&](double y) {
      const QRectF area = ClientArea(QPointF(x, y));
      return std::none_of(taken.begin(), taken.end(), [&](const QRectF& r) { return r.intersects(area); });
    };
    double y = laid_out;
    if (!clear(y)) {
      for (double d = step; d < height() && y == laid_out; d += step)
        for (double c : {laid_out - d, laid_out + d})
          if (c >= top && c <= bottom && clear(c)) {
            y = c;
            break;
          }
    }
    client_y_[id] = y;
    taken.push_back(ClientArea(QPointF(x, y)));
  }
}

QRectF ClusterWidget::BrokerRect(int32_t broker) const {
  auto it = places_.find(broker);
  if (it == places_.end() || it->second.component < 0) return QRectF();
  const QPointF c = Place(broker);
  const QSizeF box = BoxSize();
  return QRectF(c.x() - box.width() / 2, c.y() - box.height() / 2, box.width(), box.height());
}

QRectF ClusterWidget::ClientLabelRect(int32_t client) const {
  auto it = places_.find(client);
  if (it == places_.end() || it->second.component >= 0) return QRectF();
  const QPointF pc = Place(client);
  const double w = ClientLabelWidth(), h = 2 * metrics_.line + 4;
  // Centred under the client, kept inside the picture.
  const double x = std::clamp(pc.x() - w / 2, 0.0, std::max(0.0, width() - w));
  return QRectF(x, pc.y() + ClientRadius() + 2, w, h);
}

int32_t ClusterWidget::NodeAt(QPoint point) const {
  for (const view::BrokerView& b : view_.brokers)
    if (BrokerRect(b.id).contains(QPointF(point))) return b.id;
  for (const view::ClientView& c : view_.clients) {
    if (c.kind == "admin") continue;
    const QPointF p = Place(c.id);
    if (std::hypot(point.x() - p.x(), point.y() - p.y()) <= ClientRadius()) return c.id;
  }
  return -1;
}

void ClusterWidget::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
  int32_t node = NodeAt(event->pos());
  bool broker = false;
  for (const view::BrokerView& b : view_.brokers) broker |= b.id == node;
  if (!broker) node = -1;
  if (event->modifiers() & Qt::ControlModifier) {
    if (node >= 0 && !selected_.erase(node)) selected_.insert(node);
  } else {
    selected_.clear();
    if (node >= 0) selected_.insert(node);
  }
  update();
  emit BrokerClicked(node);
}

void ClusterWidget::contextMenuEvent(QContextMenuEvent* event) {
  const int32_t node = NodeAt(event->pos());
  if (node < 0) return;
  // As in a file manager: right-clicking outside the selection selects what was clicked.
  bool broker = false;
  for (const view::BrokerView& b : view_.brokers) broker |= b.id == node;
  if (broker && !selected_.count(node)) {
    selected_ = {node};
    update();
  }
  emit NodeContextMenu(node, event->globalPos());
}

void ClusterWidget::Select(std::set<int32_t> brokers) {
  selected_ = std::move(brokers);
  update();
}

void ClusterWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing, true);
  p.fillRect(rect(), palette().color(QPalette::Base));
  std::map<std::pair<int32_t, int32_t>, const view::LinkView*> links;
  for (const view::LinkView& l : view_.links) links[{l.from, l.to}] = &l;
  std::set<int32_t> brokers;
  for (const view::BrokerView& b : view_.brokers) brokers.insert(b.id);

  // A partitioned cluster: each side of the partition on its own shaded island.
  if (layout_.components() > 1) {
    const QSizeF box = BoxSize();
    std::map<int, QRectF> islands;
    for (const view::BrokerView& b : view_.brokers) {
      auto it = places_.find(b.id);
      if (it == places_.end()) continue;
      const QPointF c = Place(b.id);
      const QRectF r(c.x() - box.width() / 2 - 14, c.y() - box.height() / 2 - 14, box.width() + 28, box.height() + 28);
      auto [island, fresh] = islands.emplace(it->second.component, r);
      if (!fresh) island->second = island->second.united(r);
    }
    p.setPen(QPen(Palette::Grey(), 1.5, Qt::DashLine));
    p.setBrush(QColor(0xEE, 0xEE, 0xEE));
    for (const auto& [component, r] : islands) p.drawRoundedRect(r, 18, 18);
  }

  // Links between brokers: one line per pair, styled by the worse direction; a one-way cut is
  // drawn as an arrow in the direction that still works, with a cross at the blocked end.
  for (const view::BrokerView& a : view_.brokers)
    for (const view::BrokerView& b : view_.brokers) {
      if (a.id >= b.id) continue;
      auto ab = links.find({a.id, b.id});
      auto ba = links.find({b.id, a.id});
      if (ab == links.end() || ba == links.end()) continue;
      const bool cut_ab = ab->second->state == view::LinkView::State::kCut;
      const bool cut_ba = ba->second->state == view::LinkView::State::kCut;
      const QPointF pa = Place(a.id), pb = Place(b.id);
      QPen pen(Palette::Grey(), 1.5);
      if (cut_ab && cut_ba) {
        pen = QPen(Palette::Vermillion(), 2, Qt::DashLine);
        p.setPen(pen);
        p.drawLine(pa, pb);
        const QPointF mid = (pa + pb) / 2;
        p.setPen(QPen(Palette::Vermillion(), 3));
        p.drawLine(mid + QPointF(-7, -7), mid + QPointF(7, 7));
        p.drawLine(mid + QPointF(-7, 7), mid + QPointF(7, -7));
        continue;
      }
      const auto worse = [](const view::LinkView* x, const view::LinkView* y) {
        return int(x->state) >= int(y->state) ? x : y;
      };
      const view::LinkView* l = worse(ab->second, ba->second);
      if (l->state == view::LinkView::State::kClogged) pen = QPen(Palette::Orange(), 2.5, Qt::DotLine);
      else if (l->state == view::LinkView::State::kSlowed) pen = QPen(Palette::Orange(), 4);
      if (cut_ab || cut_ba) pen = QPen(Palette::Vermillion(), 2, Qt::DashLine);
      p.setPen(pen);
      p.drawLine(pa, pb);
      if (cut_ab != cut_ba) {  // one way: an arrow head where frames still arrive
        const QPointF from = cut_ab ? pb : pa, to = cut_ab ? pa : pb;
        const QPointF d = to - from;
        const double len = std::hypot(d.x(), d.y());
        if (len > 1) {
          const QPointF u = d / len;
          const QPointF tip = from + u * (len * 0.6);
          const QPointF n(-u.y(), u.x());
          QPainterPath head;
          head.moveTo(tip);
          head.lineTo(tip - u * 14 + n * 7);
          head.lineTo(tip - u * 14 - n * 7);
          head.closeSubpath();
          p.fillPath(head, Palette::Vermillion());
        }
      }
    }

  // Clients, with a thin line to every broker they can reach (cut links left out).
  QFont font = picture_font_;
  const double kClientR = ClientRadius();
  for (const view::ClientView& c : view_.clients) {
    if (c.kind == "admin") continue;
    const QPointF pc = Place(c.id);
    for (int32_t b : brokers) {
      auto it = links.find({c.id, b});
      if (it == links.end() || it->second->state == view::LinkView::State::kCut) continue;
      p.setPen(QPen(QColor(0, 0, 0, 30), 1));
      p.drawLine(pc, Place(b));
    }
  }
  for (const view::ClientView& c : view_.clients) {
    if (c.kind == "admin") continue;
    const QPointF pc = Place(c.id);
    const bool producer = c.kind == "producer";
    p.setPen(QPen(Palette::Black(), 1.5, c.up && !c.stopped ? Qt::SolidLine : Qt::DashLine));
    p.setBrush(producer ? Palette::SkyBlue() : Palette::Yellow().lighter(120));
    p.drawEllipse(pc, kClientR, kClientR);
    p.setPen(Palette::Black());
    font.setBold(true);
    p.setFont(font);
    p.drawText(QRectF(pc.x() - kClientR, pc.y() - kClientR, 2 * kClientR, 2 * kClientR), Qt::AlignCenter,
               producer ? "P" : "C");
    font.setBold(false);
    p.setFont(font);
    QString label = QStringLiteral("%1 %2").arg(producer ? "producer" : "consumer").arg(c.id);
    if (producer) label += QStringLiteral("\n%1/s").arg(c.rate_per_s);
    else if (const int64_t lag = c.TotalLag(); lag >= 0) label += QStringLiteral("\nlag %1").arg(lag);
    else label += QStringLiteral("\nlag -");
    p.drawText(ClientLabelRect(c.id), Qt::AlignHCenter | Qt::AlignTop, label);
  }

  // Flow: each frame on its way from -> to. A frame's position is its remaining time against the
  // longest remaining on that link (about the link's latency); responses carry their request's API.
  frames_drawn_ = 0;
  const QFont small = Resized(picture_font_, -1);
  const QFontMetricsF small_metrics(small);
  struct FlowLabel {
    QPointF at;     // the left end of its baseline
    QRectF ground;  // the pale ground under it
    QColor colour;
    QString text;
  };
  std::vector<FlowLabel> flow_labels;
  if (!frames_.empty()) {
    std::map<std::pair<int32_t, int32_t>, int64_t> span;
    for (const view::FrameView& f : frames_) {
      int64_t& s = span[{f.from, f.to}];
      s = std::max(s, std::max<int64_t>(1'000'000, f.deliver_at_ns - view_.at_ns));
    }
    std::map<std::tuple<int32_t, int32_t, int32_t>, std::string> api_of;  // (client, server, correlation id)
    for (const view::FrameView& f : frames_)
      if (f.request) api_of[{f.from, f.to, f.correlation_id}] = f.api;
    auto colour_of = [](const std::string& api) {
      if (api == "Produce") return Palette::Blue();
      if (api == "Fetch") return Palette::SkyBlue();
      if (api == "Vote" || api == "BeginQuorumEpoch" || api == "EndQuorumEpoch" || api == "FetchSnapshot")
        return Palette::ReddishPurple();
      if (api.rfind("Broker", 0) == 0) return Palette::Grey();
      return Palette::Orange();
    };
    p.setFont(small);
    std::map<std::pair<int32_t, int32_t>, int> labelled;
    // A frame travels the visible part of its link, from the edge of one node to the edge of the
    // other, so that none hides under a broker's box.
    std::set<int32_t> broker_ids;
    for (const view::BrokerView& b : view_.brokers) broker_ids.insert(b.id);
    const QSizeF box = BoxSize();
    auto edge = [&](int32_t node, QPointF centre, QPointF toward) {
      const QPointF d = toward - centre;
      const double len = std::hypot(d.x(), d.y());
      if (len < 1) return centre;
      double t;
      if (broker_ids.count(node)) {
        const double tx = std::abs(d.x()) > 1e-9 ? (box.width() / 2 + 3) / std::abs(d.x()) : 1e9;
        const double ty = std::abs(d.y()) > 1e-9 ? (box.height() / 2 + 3) / std::abs(d.y()) : 1e9;
        t = std::min(tx, ty);
      } else {
        t = (kClientR + 3) / len;
      }
      return centre + d * std::min(t, 0.45);
    };
    for (const view::FrameView& f : frames_) {
      if (places_.count(f.from) == 0 || places_.count(f.to) == 0) continue;
      const double remaining = double(std::max<int64_t>(0, f.deliver_at_ns - view_.at_ns));
      const double fraction = std::clamp(1.0 - remaining / double(span[{f.from, f.to}]), 0.05, 0.95);
      const QPointF ca = Place(f.from), cb = Place(f.to);
      const QPointF a = edge(f.from, ca, cb), b = edge(f.to, cb, ca);
      const QPointF at = a + (b - a) * fraction;
      std::string api = f.request ? f.api : "";
      if (!f.request)
        if (auto it = api_of.find({f.to, f.from, f.correlation_id}); it != api_of.end()) api = it->second;
      const QColor c = colour_of(api);
      p.setPen(QPen(c.darker(130), 2));
      p.setBrush(f.request ? QBrush(c) : QBrush(palette().color(QPalette::Base)));
      p.drawEllipse(at, 6, 6);
      // One label per link direction, so that a busy link stays readable: right of its frame, or
      // left of it, wherever it covers no broker (else none).
      if (labelled[{f.from, f.to}] == 0) {
        const QString text = api.empty() ? QStringLiteral("response")
                                         : QString::fromStdString(api) + (f.request ? QString() : QStringLiteral(" (response)"));
        const double w = small_metrics.horizontalAdvance(text) + 4, h = small_metrics.height() + 2;
        for (const QPointF baseline : {at + QPointF(9, -4), at + QPointF(-9 - w, -4)}) {
          const QRectF area(baseline.x() - 2, baseline.y() - small_metrics.ascent() - 1, w, h);
          const bool covers = std::any_of(broker_ids.begin(), broker_ids.end(),
                                          [&](int32_t id) { return area.intersects(BrokerRect(id)); });
          if (covers || area.left() < 0 || area.right() > width()) continue;
          flow_labels.push_back({baseline, area, c.darker(160), text});
          ++labelled[{f.from, f.to}];
          break;
        }
      }
      ++frames_drawn_;
    }
    p.setFont(picture_font_);
  }

  // Brokers.
  for (const view::BrokerView& b : view_.brokers) {
    const QRectF box = BrokerRect(b.id);
    const bool down = b.process == view::ProcessState::kDown;
    const bool paused = b.process == view::ProcessState::kPaused;
    QColor fill = down ? palette().color(QPalette::Base) : paused ? Palette::Paused() : b.fenced && b.is_broker ? Palette::Fenced().lighter(140) : Palette::Up().lighter(150);
    QPen outline(down ? Palette::Down() : Palette::Black(), b.is_active_controller ? 4 : 2,
                 down ? Qt::DashLine : Qt::SolidLine);
    if (selected_.count(b.id)) {  // the selection: a blue halo around the box
      p.setPen(QPen(Palette::Blue(), 3, Qt::SolidLine));
      p.setBrush(Qt::NoBrush);
      p.drawRoundedRect(box.adjusted(-6, -6, 6, 6), 10, 10);
    }
    p.setPen(outline);
    p.setBrush(fill);
    p.drawRoundedRect(box, b.is_voter ? 6 : 16, b.is_voter ? 6 : 16);
    QString roles;
    if (b.is_active_controller) roles = QStringLiteral("active controller");
    else if (b.is_voter && b.is_broker) roles = QStringLiteral("broker + voter");
    else if (b.is_voter) roles = QStringLiteral("controller voter");
    else roles = QStringLiteral("broker");
    QString state = down ? QStringLiteral("DOWN") : paused ? QStringLiteral("PAUSED") : QStringLiteral("up");
    if (!down && b.is_broker) state += b.fenced ? QStringLiteral(", FENCED") : QStringLiteral("");
    p.setPen(down ? Palette::Down() : Palette::Black());
    QFont title = Resized(font, 1);
    title.setBold(true);
    p.setFont(title);
    p.drawText(box.adjusted(4, 3, -4, 0), Qt::AlignHCenter | Qt::AlignTop,
               (b.is_broker ? QStringLiteral("broker %1") : QStringLiteral("controller %1")).arg(b.id));
    p.setFont(font);
    // The role, and below it the state: in bold when it is not "up", the news a class looks for.
    const double line = QFontMetricsF(font).height();
    p.drawText(box.adjusted(4, 0, -4, -3 - line), Qt::AlignHCenter | Qt::AlignBottom, roles);
    font.setBold(down || paused || (b.is_broker && b.fenced));
    p.setFont(font);
    p.drawText(box.adjusted(4, 0, -4, -3), Qt::AlignHCenter | Qt::AlignBottom, state);
    font.setBold(false);
    p.setFont(font);
  }
  // The flow's labels, on a pale ground so that they stay readable over boxes and links.
  if (!flow_labels.empty()) {
    p.setFont(small);
    QColor ground = palette().color(QPalette::Base);
    ground.setAlpha(215);
    for (const FlowLabel& l : flow_labels) {
      p.fillRect(l.ground, ground);
      p.setPen(l.colour);
      p.drawText(l.at, l.text);
    }
    p.setFont(picture_font_);
  }
  if (view_.brokers.empty()) {
    p.setPen(Palette::Grey());
    p.drawText(rect(), Qt::AlignCenter, QStringLiteral("no cluster yet"));
  }
}

}  // namespace samsa::gui

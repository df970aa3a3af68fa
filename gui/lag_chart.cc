#include "gui/lag_chart.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QTextStream>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

#include "gui/combo_choices.h"
#include "gui/palette.h"

namespace samsa::gui {

namespace {

bool LastsUntilReverted(const std::string& text) {
  for (const char* kind : {"crash", "pause", "partition", "isolate", "one-way", "clog", "latency", "slow", "shutdown"})
    if (text.rfind(kind, 0) == 0) return true;
  return false;
}

QChart* NewChart(const QString& title) {
  auto* chart = new QChart();
  chart->setTitle(title);
  chart->legend()->setAlignment(Qt::AlignRight);
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->setAnimationOptions(QChart::NoAnimation);
  return chart;
}

// The data of one chart while it is being built: its series, its y range, its CSV rows.
struct Builder {
  QChart* chart;
  double x_max = 1;
  double y_max = 1;
  std::vector<std::pair<QString, QList<QPointF>>>* csv;
  // Series on a second, right-hand y axis (a count on another scale: replicas in the ISR next
  // to records of lag, which a lag spike of thousands would flatten to a line at zero).
  double right_max = 1;
  std::vector<QAbstractSeries*> right = {};

  QLineSeries* Line(const QString& name, const QColor& colour, Qt::PenStyle style = Qt::SolidLine, double width = 2) {
    auto* s = new QLineSeries();
    s->setName(name);
    QPen pen(colour);
    pen.setWidthF(width);
    pen.setStyle(style);
    s->setPen(pen);
    return s;
  }
  // Adds the points to `s` (on the right-hand axis when `on_right`); where samples are missing
  // (no leader, no position known) the line breaks: each later stretch is a series of its own
  // with the same pen and no legend entry.
  void Add(QLineSeries* s, const QList<QPointF>& points, bool on_right = false) {
    constexpr double kGapS = 1.5 * double(kSampleIntervalNs) / 1e9;
    QList<QPointF> stretch;
    QLineSeries* current = s;
    auto flush = [&] {
      if (current == nullptr) {
        current = new QLineSeries();
        current->setName(s->name());
        current->setPen(s->pen());
      }
      current->replace(stretch);
      chart->addSeries(current);
      if (on_right) right.push_back(current);
      if (current != s)
        for (QLegendMarker* m : chart->legend()->markers(current)) m->setVisible(false);
      current = nullptr;
      stretch.clear();
    };
    for (const QPointF& p : points) {
      if (!stretch.isEmpty() && p.x() - stretch.back().x() > kGapS) flush();
      stretch << p;
      double& max = on_right ? right_max : y_max;
      max = std::max(max, p.y());
    }
    flush();
    csv->emplace_back(s->name(), points);
  }
};

}  // namespace

std::vector<std::pair<int64_t, int64_t>> FaultPeriods(const std::vector<view::ClusterEvent>& events, int64_t until_ns) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (size_t i = 0; i < events.size(); ++i) {
    const view::ClusterEvent& f = events[i];
    if (f.kind != view::EventKind::kFault) continue;
    int64_t end = -1;
    for (size_t j = i + 1; j < events.size() && end < 0; ++j) {
      const view::ClusterEvent& r = events[j];
      if (r.kind == view::EventKind::kRevert && (r.nodes == f.nodes || r.nodes.empty())) end = r.at_ns;
    }
    if (end < 0 && LastsUntilReverted(f.text)) end = until_ns;
    if (end > f.at_ns) out.emplace_back(f.at_ns, end);
  }
  return out;
}

LagChart::LagChart(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout();
  bar->addWidget(new QLabel(tr("Partition"), this));
  partition_ = new QComboBox(this);
  partition_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(partition_, &QComboBox::currentIndexChanged, this, [this] { emit PartitionChanged(); });
  bar->addWidget(partition_);
  legend_note_ = new QLabel(this);
  bar->addWidget(legend_note_, 1);
  layout->addLayout(bar);
  offsets_view_ = new QChartView(NewChart(tr("Offsets")), this);
  offsets_view_->setRenderHint(QPainter::Antialiasing);
  lag_view_ = new QChartView(NewChart(tr("Lag and ISR")), this);
  lag_view_->setRenderHint(QPainter::Antialiasing);
  layout->addWidget(offsets_view_, 1);
  layout->addWidget(lag_view_, 1);
}

QString LagChart::partition() const { return partition_->currentText(); }

void LagChart::SetPartition(const QString& name) {
  const int i = partition_->findText(name);
  if (i >= 0) partition_->setCurrentIndex(i);
}

void LagChart::Redraw(const Data& data) {
  csv_rows_.clear();
  // Partition choices.
  if (data.partition_names != nullptr) SetChoices(partition_, ToQStringList(*data.partition_names));
  const int p = partition_->currentIndex();
  const std::vector<Sample> empty;
  const std::vector<Sample>& samples = data.samples ? *data.samples : empty;
  const QString branch = tr("branch %1").arg(data.branch);

  QChart* offsets = NewChart(tr("%1: offsets over time (%2)").arg(partition_->currentText(), branch));
  QChart* lag = NewChart(tr("Consumer lag and ISR size (%1)").arg(branch));
  Builder top{offsets, 1, 1, &csv_rows_};
  Builder bottom{lag, 1, 1, &csv_rows_};
  auto secs = [](int64_t ns) { return double(ns) / 1e9; };
  if (!samples.empty()) top.x_max = bottom.x_max = std::max(1.0, secs(samples.back().at_ns));
  if (data.compare && !data.compare->empty()) bottom.x_max = std::max(bottom.x_max, secs(data.compare->back().at_ns));

  // Top: high watermark, durable offset, each consumer's position in this partition.
  if (p >= 0) {
    QList<QPointF> hw, durable;
    std::map<int32_t, QList<QPointF>> positions;
    const std::string name = partition_->currentText().toStdString();
    const auto dash = name.rfind('-');
    const int32_t index = dash == std::string::npos ? -1 : std::atoi(name.c_str() + dash + 1);
    for (const Sample& s : samples) {
      if (size_t(p) >= s.partitions.size()) continue;
      const PartitionSample& ps = s.partitions[size_t(p)];
      if (ps.high_watermark >= 0) hw << QPointF(secs(s.at_ns), double(ps.high_watermark));
      if (ps.durable >= 0) durable << QPointF(secs(s.at_ns), double(ps.durable));
      for (const ConsumerSample& c : s.consumers)
        for (const auto& [part, pos] : c.positions)
          if (part == index && pos >= 0) positions[c.id] << QPointF(secs(s.at_ns), double(pos));
    }
    top.Add(top.Line(tr("high watermark"), Palette::HighWatermark()), hw);
    top.Add(top.Line(tr("durable (leader)"), Palette::Durable(), Qt::DashLine), durable);
    int k = 0;
    for (const auto& [id, points] : positions)
      top.Add(top.Line(tr("consumer %1 position").arg(id), Palette::Series(k++), Qt::DotLine), points);
  }
  // Bottom: lag per consumer, ISR size summed; the compared branch dashed.
  auto add_lag_and_isr = [&](const std::vector<Sample>& ss, const QString& suffix, Qt::PenStyle style) {
    std::map<int32_t, QList<QPointF>> lags;
    QList<QPointF> isr;
    for (const Sample& s : ss) {
      for (const ConsumerSample& c : s.consumers)
        if (c.lag >= 0) lags[c.id] << QPointF(secs(s.at_ns), double(c.lag));
      isr << QPointF(secs(s.at_ns), double(s.isr_total));
    }
    int k = 0;
    for (const auto& [id, points] : lags)
      bottom.Add(bottom.Line(tr("consumer %1 lag%2").arg(id).arg(suffix), Palette::Series(k++), style), points);
    bottom.Add(bottom.Line(tr("ISR size, all partitions%1").arg(suffix), Palette::Isr(), style), isr, /*on_right=*/true);
  };
  add_lag_and_isr(samples, QString(), Qt::SolidLine);
  if (data.compare != nullptr) add_lag_and_isr(*data.compare, tr(" (branch %1)").arg(data.compare_branch), Qt::DashLine);

  // Axes, fault shading and event marks on both charts.
  shaded_ = 0;
  const std::vector<view::ClusterEvent> no_events;
  const std::vector<view::ClusterEvent>& events = data.events ? *data.events : no_events;
  const auto periods = FaultPeriods(events, samples.empty() ? 0 : samples.back().at_ns);
  for (Builder* b : {&top, &bottom}) {
    auto* x = new QValueAxis();
    x->setTitleText(tr("simulated time (s)"));
    x->setRange(0, b->x_max);
    x->setLabelFormat("%.0f");
    auto* y = new QValueAxis();
    y->setRange(0, b->y_max * 1.05);
    y->setLabelFormat("%.0f");
    y->setTitleText(b == &top ? tr("offset") : tr("lag (records)"));
    x->applyNiceNumbers();
    y->applyNiceNumbers();
    b->chart->addAxis(x, Qt::AlignBottom);
    b->chart->addAxis(y, Qt::AlignLeft);
    QValueAxis* y_right = nullptr;
    if (!b->right.empty()) {
      y_right = new QValueAxis();
      y_right->setRange(0, b->right_max * 1.05);
      y_right->setLabelFormat("%.0f");
      y_right->setTitleText(tr("replicas in the ISR"));
      y_right->setGridLineVisible(false);  // the left axis's grid is the chart's
      y_right->applyNiceNumbers();
      b->chart->addAxis(y_right, Qt::AlignRight);
    }
    int shaded = 0;
    for (const auto& [from, to] : periods) {
      if (++shaded > 40) break;  // a random nemesis: the first 40 are enough to read
      // An area series does not own its bounds (Qt Charts): they are its children, deleted with
      // it when the next redraw clears the chart.
      auto* area = new QAreaSeries();
      auto* lower = new QLineSeries(area);
      auto* upper = new QLineSeries(area);
      lower->append(secs(from), 0);
      lower->append(secs(to), 0);
      upper->append(secs(from), y->max());
      upper->append(secs(to), y->max());
      area->setUpperSeries(upper);
      area->setLowerSeries(lower);
      area->setName(tr("fault"));
      area->setBrush(QColor(0, 0, 0, 28));
      area->setPen(Qt::NoPen);
      b->chart->addSeries(area);
      if (b == &bottom) ++shaded_;
    }
    auto* marks = new QScatterSeries();
    marks->setName(tr("election"));
    marks->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
    marks->setMarkerSize(14);
    marks->setColor(Palette::ReddishPurple());
    auto* violations = new QScatterSeries();
    violations->setName(tr("violation"));
    violations->setMarkerSize(12);
    violations->setColor(Palette::Violation());
    for (const view::ClusterEvent& e : events) {
      if (e.kind == view::EventKind::kLeaderElected && e.previous_leader >= 0) marks->append(secs(e.at_ns), 0);
      if (e.kind == view::EventKind::kViolation) violations->append(secs(e.at_ns), 0);
    }
    b->chart->addSeries(marks);
    b->chart->addSeries(violations);
    for (QAbstractSeries* s : b->chart->series()) {
      s->attachAxis(x);
      const bool on_right = std::find(b->right.begin(), b->right.end(), s) != b->right.end();
      s->attachAxis(on_right ? y_right : y);
    }
    // One legend entry for the fault shading.
    bool first = true;
    for (QLegendMarker* m : b->chart->legend()->markers())
      if (m->label() == tr("fault")) m->setVisible(std::exchange(first, false));
  }
  legend_note_->setText(tr("  shaded: fault periods; triangles: elections; dots: violations"));
  QChart* old_top = offsets_view_->chart();
  QChart* old_bottom = lag_view_->chart();
  offsets_view_->setChart(offsets);
  lag_view_->setChart(lag);
  delete old_top;
  delete old_bottom;
}

const QChart* LagChart::offsets_chart() const { return offsets_view_->chart(); }
const QChart* LagChart::lag_and_isr_chart() const { return lag_view_->chart(); }

int LagChart::SeriesCount() const { return int(csv_rows_.size()); }

std::vector<QString> LagChart::SeriesNames() const {
  std::vector<QString> out;
  for (const auto& [name, points] : csv_rows_) out.push_back(name);
  return out;
}

QString LagChart::Csv() const {
  QString out = QStringLiteral("series,t_s,value\n");
  for (const auto& [name, points] : csv_rows_)
    for (const QPointF& p : points)
      out += QStringLiteral("\"%1\",%2,%3\n").arg(name).arg(p.x(), 0, 'f', 3).arg(qint64(p.y()));
  return out;
}

bool LagChart::SaveCsv(const QString& path) const {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
  const QByteArray bytes = Csv().toUtf8();
  return f.write(bytes) == bytes.size();
}

}  // namespace samsa::gui

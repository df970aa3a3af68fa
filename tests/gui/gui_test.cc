// samsa-gui's models, layout and window, on a real Qt application (QT_QPA_PLATFORM=offscreen).
#include <gtest/gtest.h>

#include <QHeaderView>
#include <QLineEdit>
#include <QScrollBar>
#include <QTableView>

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFontInfo>
#include <QFontMetricsF>
#include <QMessageBox>
#include <QPainter>
#include <QProcess>
#include <QTemporaryDir>

#include <fmt/core.h>

#include <array>
#include <cmath>
#include <fstream>
#include <functional>

#include "tests/gui/gui_test_util.h"
#include "gui/cluster_layout.h"
#include "gui/cluster_widget.h"
#include "gui/main_window.h"
#include "gui/palette.h"
#include "gui/partition_bars_delegate.h"
#include "gui/partitions_model.h"
#include "gui/timeline_model.h"
#include "net/os/file_util.h"
#include "sim/scenario.h"
#include "sim/session.h"

namespace samsa::gui {
namespace {

TEST(PartitionsModelTest, HoldsTheViewsPartitionsAtKnownInstants) {
  App();
  std::unique_ptr<sim::Session> session = Open("leader-election", 42);
  PartitionsModel model;
  session->RunUntil(9 * kS);
  view::ClusterView at9 = session->View();
  model.SetView(at9);
  ASSERT_EQ(model.rowCount(), 3);
  EXPECT_EQ(model.data(model.index(0, PartitionsModel::kPartition), Qt::DisplayRole).toString(), "orders-0");
  const view::PartitionView* p0 = at9.FindPartition("orders", 0);
  ASSERT_NE(p0, nullptr);
  EXPECT_EQ(model.data(model.index(0, PartitionsModel::kLeader), Qt::DisplayRole).toString(), QString::number(p0->leader));
  EXPECT_EQ(model.data(model.index(0, PartitionsModel::kStatus), Qt::DisplayRole).toString(), "ok");
  EXPECT_EQ(model.partition(0).replica_views.size(), 3u);
  const int32_t old_leader = p0->leader;

  session->RunUntil(14 * kS);  // the leader of orders-0 crashed at 10s
  view::ClusterView at14 = session->View();
  model.SetView(at14);
  const QString leader = model.data(model.index(0, PartitionsModel::kLeader), Qt::DisplayRole).toString();
  EXPECT_NE(leader, QString::number(old_leader));
  EXPECT_EQ(leader, QString::number(at14.FindPartition("orders", 0)->leader));
  EXPECT_EQ(model.data(model.index(0, PartitionsModel::kStatus), Qt::DisplayRole).toString(), "under-replicated");
  EXPECT_TRUE(model.data(model.index(0, PartitionsModel::kIsr), Qt::DisplayRole)
                  .toString()
                  .contains(QStringLiteral("%1*").arg(old_leader)));
  for (const view::ReplicaView& r : model.partition(0).replica_views) {
    if (r.broker == old_leader) {
      EXPECT_FALSE(r.online);
    }
  }
  EXPECT_TRUE(model.data(model.index(0, PartitionsModel::kLog), Qt::ToolTipRole).toString().contains("LEO"));
}

// Whatever the type size, no broker box covers a client's label or another box: the brokers'
// span narrows to keep clear of the client columns (presentation mode's large type once pushed
// the controller's box over the producer's label).
// The classroom scenario tolerates duplicates (its producers are not idempotent): the timeline
// says the duplicate is expected and does not paint it as a failure; a violation the scenario
// does not allow stays vermillion.
TEST(TimelineModelTest, AViolationTheScenarioAllowsIsNotPaintedAsAFailure) {
  App();
  std::unique_ptr<sim::Session> session = Open("leader-election", 42);
  session->Finish();
  MainWindow window(/*live=*/false);
  std::shared_ptr<Snapshot> snapshot = MakeSnapshot(*session, 0);
  snapshot->reset = true;
  window.ApplySnapshot(snapshot);
  const TimelineModel& model = window.timeline_model();
  int duplicates = 0;
  for (int i = 0; i < model.rowCount(); ++i) {
    const view::ClusterEvent& e = model.event(i);
    if (e.kind != view::EventKind::kViolation) continue;
    ASSERT_EQ(e.text, "duplicate") << "seed 42 of leader-election should find only duplicates";
    ++duplicates;
    EXPECT_TRUE(e.allowed);
    const QModelIndex index = model.index(i);
    EXPECT_TRUE(model.data(index, Qt::DisplayRole).toString().contains("(expected in this scenario)"));
    EXPECT_FALSE(model.data(index, Qt::ForegroundRole).isValid());
  }
  EXPECT_GE(duplicates, 1);

  TimelineModel plain;
  view::ClusterEvent lost;
  lost.kind = view::EventKind::kViolation;
  lost.text = "acked-lost";
  plain.Append({lost});
  EXPECT_EQ(plain.data(plain.index(0), Qt::ForegroundRole).value<QBrush>().color(), Palette::Vermillion());
  EXPECT_FALSE(plain.data(plain.index(0), Qt::DisplayRole).toString().contains("expected"));
}

// Played to its end, a run shows its verdicts and what the history check found, as
// `samsa-sim run` prints them: the session finishes when it reaches the end.
TEST(MainWindowTest, PlayedToTheEndTheTimelineShowsTheVerdicts) {
  App();
  std::unique_ptr<MainWindow> live = OpenLive();
  MainWindow& window = *live;
  ASSERT_NE(window.last_snapshot(), nullptr);
  auto* speed = window.findChild<QComboBox*>("speed");
  ASSERT_NE(speed, nullptr);
  speed->setCurrentIndex(speed->findText("as fast as possible"));
  for (QAction* a : window.findChildren<QAction*>())
    if (a->text().startsWith("&Lesson mode")) a->setChecked(false);
  ASSERT_TRUE(TriggerAction(window, "Play"));
  auto verdicts = [&] {
    std::vector<const view::ClusterEvent*> out;
    for (int i = 0; i < window.timeline_model().rowCount(); ++i)
      if (window.timeline_model().event(i).kind == view::EventKind::kExpectation)
        out.push_back(&window.timeline_model().event(i));
    return out;
  };
  ASSERT_TRUE(WaitFor([&] { return window.last_snapshot()->at_end && !verdicts().empty(); }, 120))
      << "no verdict in the timeline at the end of the run";
  // The same verdicts as a headless run of the same seed, all passed.
  std::unique_ptr<sim::Session> reference = Open("leader-election", 42);
  const sim::RunResult& r = reference->Finish();
  ASSERT_EQ(verdicts().size(), r.expectations.size());
  for (size_t i = 0; i < r.expectations.size(); ++i) {
    EXPECT_EQ(verdicts()[i]->text, r.expectations[i].name);
    EXPECT_TRUE(verdicts()[i]->passed) << verdicts()[i]->detail;
  }
  // The duplicate the history check finds (tolerated here) is in the timeline too.
  EXPECT_NE(window.timeline_model().FirstViolationRow(), -1);
  // The explain line sums the verdicts up.
  EXPECT_EQ(window.explain_text().toStdString(),
            fmt::format("The run passed: all {} expectations held.", r.expectations.size()));
}

TEST(ClusterWidgetTest, BoxesKeepClearOfClientLabelsAtAnyTypeSize) {
  App();
  std::unique_ptr<sim::Session> session = Open("leader-election", 42);
  session->RunUntil(14 * kS);
  const view::ClusterView v = session->View();
  // The window's type (12 px) down to a small panel; presentation mode's (24 px) at the size its
  // full-screen window gives the cluster panel (765x640 at 1920x1080).
  // Also presentation mode in a 1600x1000 window (a 640x760 panel) and on a 1280x800 projector.
  const std::vector<std::pair<int, QSize>> cases = {{12, QSize(900, 700)}, {12, QSize(765, 640)}, {12, QSize(560, 480)},
                                                    {18, QSize(765, 640)}, {24, QSize(900, 700)}, {24, QSize(765, 640)},
                                                    {24, QSize(640, 760)}, {24, QSize(520, 600)}};
  for (const auto& [pixels, size] : cases) {
    {
      ClusterWidget w;
      QFont font = w.font();
      font.setPixelSize(pixels);
      w.setFont(font);
      w.resize(size);
      w.SetView(v);
      std::vector<QRectF> boxes, labels;
      for (const view::BrokerView& b : v.brokers) boxes.push_back(w.BrokerRect(b.id));
      for (const view::ClientView& c : v.clients)
        if (c.kind != "admin") labels.push_back(w.ClientLabelRect(c.id));
      ASSERT_EQ(boxes.size(), 4u);
      ASSERT_EQ(labels.size(), 2u);
      // Every box holds its widest state, in bold, inside paint's 4 px insets.
      QFont bold = w.picture_font();
      bold.setBold(true);
      const double widest = QFontMetricsF(bold).horizontalAdvance(QStringLiteral("PAUSED, FENCED")) + 2 * 4;
      for (size_t i = 0; i < boxes.size(); ++i) {
        EXPECT_FALSE(boxes[i].isEmpty());
        EXPECT_GE(boxes[i].width(), widest) << pixels << " px type, " << size.width() << "x" << size.height();
        for (const QRectF& label : labels)
          EXPECT_FALSE(boxes[i].intersects(label)) << pixels << " px type, " << size.width() << "x" << size.height();
        for (size_t j = i + 1; j < boxes.size(); ++j)
          EXPECT_FALSE(boxes[i].intersects(boxes[j])) << "boxes " << i << " and " << j << ", " << pixels << " px type, "
                                                      << size.width() << "x" << size.height();
      }
    }
  }
}

// Six nodes in presentation type on a 1280x800 projector (a 505x540 panel) do not fit at 24 px:
// the brokers spread over the whole picture and the picture's type shrinks until no box overlaps
// another or a client, never below 12 px; in a roomy panel it keeps the widget's type, and a
// larger panel never gets smaller type.
TEST(ClusterWidgetTest, ThePictureTypeShrinksUntilTheBoxesFit) {
  App();
  std::unique_ptr<sim::Session> session = Open("last-replica-standing", 21);
  session->RunUntil(20 * kS);
  const view::ClusterView v = session->View();
  ASSERT_EQ(v.brokers.size(), 6u);
  std::pair<QSize, int> previous{QSize(0, 0), 0};
  for (const QSize size : {QSize(505, 540), QSize(560, 600), QSize(640, 760), QSize(765, 640), QSize(1400, 1000)}) {
    ClusterWidget w;
    QFont font = w.font();
    font.setPixelSize(24);
    w.setFont(font);
    w.resize(size);
    w.SetView(v);
    const int px = QFontInfo(w.picture_font()).pixelSize();
    if (size.width() > 1000) {
      EXPECT_EQ(px, 24);
    }
    if (size.width() < 600) {
      EXPECT_LT(px, 24);
    }
    EXPECT_GE(px, 12);
    // A panel larger both ways never gets smaller type.
    if (size.width() >= previous.first.width() && size.height() >= previous.first.height()) {
      EXPECT_GE(px, previous.second) << size.width() << "x" << size.height();
    }
    previous = {size, px};
    std::vector<QRectF> boxes, labels;
    for (const view::BrokerView& b : v.brokers) boxes.push_back(w.BrokerRect(b.id));
    for (const view::ClientView& c : v.clients)
      if (c.kind != "admin") labels.push_back(w.ClientLabelRect(c.id));
    QFont bold = w.picture_font();
    bold.setBold(true);
    const double widest = QFontMetricsF(bold).horizontalAdvance(QStringLiteral("PAUSED, FENCED")) + 2 * 4;
    for (size_t i = 0; i < boxes.size(); ++i) {
      EXPECT_GE(boxes[i].width(), widest);
      for (const QRectF& label : labels) EXPECT_FALSE(boxes[i].intersects(label)) << size.width();
      for (size_t j = i + 1; j < boxes.size(); ++j) EXPECT_FALSE(boxes[i].intersects(boxes[j])) << i << " " << j << " " << size.width();
    }
  }
}

TEST(ClusterLayoutTest, StableAndAPartitionedClusterFallsApart) {
  std::unique_ptr<sim::Session> session = Open("leader-election", 42);
  session->RunUntil(5 * kS);
  ClusterLayout layout;
  const auto first = layout.Layout(session->View());
  EXPECT_EQ(layout.components(), 1);
  ClusterLayout again;
  const auto second = again.Layout(session->View());
  ASSERT_EQ(first.size(), second.size());
  for (const auto& [id, place] : first) {
    EXPECT_DOUBLE_EQ(place.x, second.at(id).x) << id;
    EXPECT_DOUBLE_EQ(place.y, second.at(id).y) << id;
    EXPECT_GE(place.x, 0.0);
    EXPECT_LE(place.x, 1.0);
  }
  sim::FaultStep isolate;
  isolate.type = sim::FaultType::kPartition;
  isolate.target.kind = sim::FaultTarget::Kind::kNode;
  isolate.target.node_id = 2;
  isolate.for_ns = 3 * kS;
  ASSERT_TRUE(session->Inject(isolate).ok());
  const auto split = layout.Layout(session->View());
  EXPECT_EQ(layout.components(), 2);
  // Broker 2 stands in its own box, apart from brokers 1 and 3.
  const double x2 = split.at(2).x, x1 = split.at(1).x, x3 = split.at(3).x;
  EXPECT_NE(split.at(2).component, split.at(1).component);
  EXPECT_EQ(split.at(1).component, split.at(3).component);
  EXPECT_TRUE((x2 > std::max(x1, x3)) || (x2 < std::min(x1, x3)));
  session->RunFor(4 * kS);  // healed
  layout.Layout(session->View());
  EXPECT_EQ(layout.components(), 1);
}

TEST(MainWindowTest, ABadScenarioShowsItsErrorsAndTheAppStaysUsable) {
  App();
  QTemporaryDir dir;
  const QString bad = dir.filePath("bad.yaml");
  {
    std::ofstream out(bad.toStdString());
    out << "name: bad\nrun_for: 10s\ntopics:\n  - { name: t, partitions: 1, replication.factor: 9 }\n";
  }
  MainWindow window(/*live=*/true);
  EXPECT_FALSE(window.OpenFile(bad));
  ASSERT_NE(window.error_box(), nullptr);
  EXPECT_TRUE(window.error_box()->isVisible());
  EXPECT_TRUE(window.error_box()->informativeText().contains("bad.yaml:4:")) << window.error_box()->informativeText().toStdString();
  EXPECT_TRUE(window.error_box()->informativeText().contains("replication factor 9"));
  window.error_box()->close();
  // Still usable: a good scenario opens and runs.
  ASSERT_TRUE(window.OpenFile(QString::fromStdString(ScenarioPath("leader-election"))));
  ASSERT_TRUE(WaitFor([&] { return window.last_snapshot() != nullptr; }, 30));
  EXPECT_EQ(window.last_snapshot()->scenario_name, "leader-election");
}

TEST(MainWindowTest, CrashingTheLeaderThroughTheUiElectsAnotherAndShrinksTheIsr) {
  App();
  std::unique_ptr<MainWindow> live = OpenLive();
  MainWindow& window = *live;
  ASSERT_NE(window.last_snapshot(), nullptr);
  // The run is stepped, never played, so the test sees the same run at any speed (under ASan a
  // played run outran the test and the crash landed after the scenario's faults). Key 3 steps
  // one second of simulated time; the next step waits until the previous one shows.
  auto trigger_key = [&](Qt::Key key) { return TriggerShortcut(window, QKeySequence(key)); };
  auto at_ns = [&] { return window.last_snapshot()->view.at_ns; };
  auto step_1s = [&] {
    const int64_t to = at_ns() + kS;
    return trigger_key(Qt::Key_3) && WaitFor([&] { return at_ns() >= to; }, 30);
  };
  // Step to 6 s: orders-0 has a leader and a full ISR by then.
  while (at_ns() < 6 * kS) ASSERT_TRUE(step_1s()) << "the run is at " << at_ns() / 1e9 << " s";
  const view::PartitionView* p0 = window.last_snapshot()->view.FindPartition("orders", 0);
  ASSERT_NE(p0, nullptr);
  ASSERT_EQ(p0->isr.size(), 3u);
  const int32_t old_leader = p0->leader;
  ASSERT_GE(old_leader, 1);
  window.InjectOnNode(sim::FaultType::kCrash, old_leader);  // what the context menu's "Crash" does
  // The timeline shows the crash, the election of another leader and the ISR without the old
  // one. (Asked of the timeline, which gets every event, not of the latest picture: the
  // scenario's own crash of the new leader at 10 s may follow within the same step.)
  bool crash = false, elected = false, shrunk = false;
  auto seen = [&] {
    for (int i = 0; i < window.timeline_model().rowCount(); ++i) {
      const view::ClusterEvent& e = window.timeline_model().event(i);
      // Ours, not the scenario's own crash of the leader at 10 s.
      crash |= e.kind == view::EventKind::kFault && e.text.find("crash") != std::string::npos && e.at_ns < 10 * kS;
      const bool orders_0 = e.topic == "orders" && e.partition == 0;
      elected |= orders_0 && e.kind == view::EventKind::kLeaderElected && e.previous_leader == old_leader &&
                 e.leader >= 1 && e.leader != old_leader;
      shrunk |= orders_0 && e.kind == view::EventKind::kIsrShrink && e.isr.size() == 2 &&
                std::find(e.isr.begin(), e.isr.end(), old_leader) == e.isr.end();
    }
    return crash && elected && shrunk;
  };
  // The controller notices the crash after broker.session.timeout.ms (3 s).
  while (!seen() && at_ns() < 20 * kS) ASSERT_TRUE(step_1s()) << "the run is at " << at_ns() / 1e9 << " s";
  ASSERT_TRUE(seen()) << "crash " << crash << ", another leader " << elected << ", ISR without " << old_leader << " "
                      << shrunk << "; the run is at " << at_ns() / 1e9 << " s";
  ASSERT_FALSE(window.last_snapshot()->playing);

  // Then cut a group from the rest: the cluster falls apart on screen, and comes back when
  // healed.
  window.CutFromRest({1, 2}, 60 * kS);
  ASSERT_TRUE(WaitFor([&] { return window.cluster_components() == 2; }, 30));
  window.HealNetwork();
  ASSERT_TRUE(WaitFor([&] { return window.cluster_components() == 1; }, 30));

  // The Brokers menu acts on the selection, by its shortcuts: O cuts broker 1 one way (only its
  // messages to the other nodes, brokers 2 and 3 and controller 4, are dropped), H heals.
  // Steps 100 ms (key 2) once the previous step shows: one step at a time, every view seen.
  int64_t stepped_to = -1;
  auto step_100ms = [&] {
    const int64_t now = window.last_snapshot()->view.at_ns;
    if (now < stepped_to) return;
    stepped_to = now + 100'000'000;
    trigger_key(Qt::Key_2);
  };
  auto cut_links = [&](int32_t* from_1, int32_t* others) {
    *from_1 = *others = 0;
    for (const view::LinkView& l : window.last_snapshot()->view.links)
      if (l.state == view::LinkView::State::kCut) ++(l.from == 1 ? *from_1 : *others);
  };
  window.cluster_widget().Select({1});
  ASSERT_TRUE(trigger_key(Qt::Key_O));
  ASSERT_TRUE(WaitFor([&] { int32_t a, b; cut_links(&a, &b); return a == 3 && b == 0; }, 30));
  ASSERT_TRUE(trigger_key(Qt::Key_H));
  ASSERT_TRUE(WaitFor([&] { int32_t a, b; cut_links(&a, &b); return a == 0 && b == 0; }, 30));

  // S: a controlled shutdown of the leader of orders-0. Leadership moves while it still runs,
  // then it exits; the timeline says it was a controlled shutdown.
  const int32_t leader = window.last_snapshot()->view.FindPartition("orders", 0)->leader;
  ASSERT_GE(leader, 1);
  window.cluster_widget().Select({leader});
  ASSERT_TRUE(trigger_key(Qt::Key_S));
  ASSERT_TRUE(WaitFor(
      [&] {
        step_100ms();
        const view::ClusterView& v = window.last_snapshot()->view;
        const view::BrokerView* b = v.FindBroker(leader);
        const view::PartitionView* p = v.FindPartition("orders", 0);
        return b != nullptr && p != nullptr && b->process != view::ProcessState::kUp && p->leader != leader;
      },
      60))
      << [&] {
           const view::ClusterView& v = window.last_snapshot()->view;
           std::string s = "at " + std::to_string(v.at_ns) + " leader " + std::to_string(leader) + ":";
           for (const auto& b : v.brokers) s += " " + std::to_string(b.id) + "/" + std::to_string(int(b.process));
           if (const auto* p = v.FindPartition("orders", 0)) s += " orders-0 leader " + std::to_string(p->leader);
           for (int i = 0; i < window.timeline_model().rowCount(); ++i) {
             const view::ClusterEvent& e = window.timeline_model().event(i);
             if (e.at_ns > 5 * kS) s += "\n  " + std::to_string(e.at_ns) + " " + e.text + " " + e.detail;
           }
           return s;
         }();
  bool shut_down = false;
  for (int i = 0; i < window.timeline_model().rowCount(); ++i) {
    const view::ClusterEvent& e = window.timeline_model().event(i);
    shut_down |= e.kind == view::EventKind::kBrokerFenced && e.cause == view::EventCause::kBrokerShutdown &&
                 e.replica == leader;
  }
  EXPECT_TRUE(shut_down);
  ASSERT_TRUE(trigger_key(Qt::Key_R));  // restart it
  ASSERT_TRUE(WaitFor(
      [&] {
        step_100ms();
        const view::BrokerView* b = window.last_snapshot()->view.FindBroker(leader);
        return b != nullptr && b->process == view::ProcessState::kUp;
      },
      60));

  // The producer's context menu path: its rate changes, and the change is an event.
  window.SetRate(kFirstClientIdForTest, 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const view::ClientView& c : window.last_snapshot()->view.clients)
          if (c.id == kFirstClientIdForTest) return c.rate_per_s == 0;
        return false;
      },
      30));
  // F1 lists the shortcuts.
  bool f1 = false;
  for (QAction* a : window.findChildren<QAction*>()) f1 |= a->shortcut() == QKeySequence(Qt::Key_F1);
  EXPECT_TRUE(f1);
  EXPECT_TRUE(MainWindow::HelpText().contains("Space"));
  EXPECT_TRUE(MainWindow::HelpText().contains("Controlled shutdown"));
}


// Colours under simulated deuteranopia (Machado, Oliveira and Fernandes 2009, severity 1, on
// linear RGB), compared in CIELAB: every pair of state colours, and of bar colours, stays at
// least 20 apart (a difference anyone sees at a glance; 2.3 is just noticeable).
double SrgbToLinear(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }
std::array<double, 3> Lab(const std::array<double, 3>& linear) {
  const double x = 0.4124 * linear[0] + 0.3576 * linear[1] + 0.1805 * linear[2];
  const double y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  const double z = 0.0193 * linear[0] + 0.1192 * linear[1] + 0.9505 * linear[2];
  auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116.0; };
  const double fx = f(x / 0.95047), fy = f(y), fz = f(z / 1.08883);
  return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}
std::array<double, 3> Deuteranope(const QColor& c) {
  const double r = SrgbToLinear(c.redF()), g = SrgbToLinear(c.greenF()), b = SrgbToLinear(c.blueF());
  auto clamp = [](double v) { return std::clamp(v, 0.0, 1.0); };
  return {clamp(0.367322 * r + 0.860646 * g - 0.227968 * b), clamp(0.280085 * r + 0.672501 * g + 0.047413 * b),
          clamp(-0.011820 * r + 0.042940 * g + 0.968881 * b)};
}
double Distance(const QColor& a, const QColor& b, bool deuteranope) {
  auto lin = [](const QColor& c) {
    return std::array<double, 3>{SrgbToLinear(c.redF()), SrgbToLinear(c.greenF()), SrgbToLinear(c.blueF())};
  };
  const auto la = Lab(deuteranope ? Deuteranope(a) : lin(a)), lb = Lab(deuteranope ? Deuteranope(b) : lin(b));
  return std::sqrt(std::pow(la[0] - lb[0], 2) + std::pow(la[1] - lb[1], 2) + std::pow(la[2] - lb[2], 2));
}

TEST(PaletteTest, StateColoursStayDistinctUnderDeuteranopia) {
  const std::vector<std::pair<const char*, QColor>> states = {
      {"up", Palette::Up().lighter(150)}, {"down", Palette::Down()}, {"paused", Palette::Paused()},
      {"fenced", Palette::Fenced().lighter(140)}};
  const std::vector<std::pair<const char*, QColor>> bars = {
      {"log end", Palette::LogEnd()}, {"durable", Palette::Durable()}, {"out of sync", Palette::OutOfSync()},
      {"high watermark", Palette::HighWatermark()}};
  for (const auto* set : {&states, &bars})
    for (size_t i = 0; i < set->size(); ++i)
      for (size_t j = i + 1; j < set->size(); ++j) {
        const double normal = Distance((*set)[i].second, (*set)[j].second, false);
        const double deutan = Distance((*set)[i].second, (*set)[j].second, true);
        EXPECT_GE(deutan, 20.0) << (*set)[i].first << " vs " << (*set)[j].first << ": " << deutan << " (normal vision "
                                << normal << ")";
      }
  // The simulation itself: red and green, far apart for most people, collapse for a deuteranope.
  EXPECT_GT(Distance(QColor(200, 30, 30), QColor(30, 160, 30), false), 60.0);
  EXPECT_LT(Distance(QColor(200, 30, 30), QColor(30, 160, 30), true),
            Distance(QColor(200, 30, 30), QColor(30, 160, 30), false) / 2);
}


// What a user reads: tesseract (installed by scripts/install-deps.sh) finds the partition and
// broker names in the window's pixels. The picture is scaled up and made grey first, as OCR of
// 9-point screen text wants.
std::string Ocr(const QImage& tight, const QString& path) {
  // A white margin: tesseract misses text that touches the image's edge.
  QImage image(tight.width() + 40, tight.height() + 40, QImage::Format_RGB32);
  image.fill(Qt::white);
  {
    QPainter p(&image);
    p.drawImage(20, 20, tight);
  }
  QImage big = image.scaled(image.width() * 3, image.height() * 3, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                   .convertToFormat(QImage::Format_Grayscale8);
  EXPECT_TRUE(big.save(path, "PNG"));
  QProcess tesseract;
  tesseract.start(QStringLiteral("tesseract"), {path, QStringLiteral("stdout"), QStringLiteral("--psm"), QStringLiteral("11")});
  EXPECT_TRUE(tesseract.waitForFinished(120'000)) << "tesseract did not finish (is tesseract-ocr installed?)";
  return tesseract.readAllStandardOutput().toStdString();
}

TEST(ScreenshotTest, OcrFindsPartitionsAndBrokers) {
  App();
  std::shared_ptr<Snapshot> snapshot = SnapshotAt("leader-election", 14 * kS);
  MainWindow window(/*live=*/false);
  window.resize(1600, 1000);
  window.ApplySnapshot(snapshot);
  window.show();
  QApplication::processEvents();
  QTemporaryDir dir;
  const std::string cluster = Ocr(window.cluster_panel()->grab().toImage(), dir.filePath("cluster.png"));
  for (const char* label : {"broker 1", "broker 2", "broker 3", "DOWN", "active controller", "producer 1001"})
    EXPECT_NE(cluster.find(label), std::string::npos) << label << " not read in:\n" << cluster;
  // The rows' text columns (partition to status): tesseract loses table rows in a grab of the
  // whole panel, whose layout (full-width replica bars, the clients table) it cannot segment.
  auto* table = window.partitions_panel()->findChild<QTableView*>(QStringLiteral("partitions"));
  ASSERT_NE(table, nullptr);
  const int last_text_column = table->model()->columnCount() - 2;  // the replica bars are the last
  QRect rows = table->visualRect(table->model()->index(0, 0))
                   .united(table->visualRect(table->model()->index(table->model()->rowCount() - 1, last_text_column)));
  QWidget* panel = window.partitions_panel();
  const QRect in_panel(table->viewport()->mapTo(panel, rows.topLeft()), rows.size());
  const std::string partitions = Ocr(panel->grab(in_panel).toImage(), dir.filePath("partitions.png"));
  for (const char* label : {"orders-0", "orders-1", "orders-2", "under-replicated"})
    EXPECT_NE(partitions.find(label), std::string::npos) << label << " not read in:\n" << partitions;
}

// A headless window in presentation mode at 1920x1080, shown, on leader-election at 14 s.
std::unique_ptr<MainWindow> PresentationWindow() {
  App();
  auto window = std::make_unique<MainWindow>(/*live=*/false);
  window->resize(1920, 1080);
  window->SetPresentation(true);
  window->ApplySnapshot(SnapshotAt("leader-election", 14 * kS));
  window->show();
  QApplication::processEvents();
  return window;
}

TEST(ScreenshotTest, PresentationModeShowsLargeTypeAndOnlyTheStory) {
  std::unique_ptr<MainWindow> shown = PresentationWindow();
  MainWindow& window = *shown;
  EXPECT_TRUE(window.presentation());
  EXPECT_GE(QFontInfo(window.font()).pixelSize(), 24);
  EXPECT_FALSE(window.timeline_panel()->isVisible());
  EXPECT_FALSE(window.chart_panel()->isVisible());
  EXPECT_TRUE(window.cluster_panel()->isVisible());
  EXPECT_TRUE(window.partitions_panel()->isVisible());
  QTemporaryDir dir;
  const std::string text = Ocr(window.grab().toImage(), dir.filePath("presentation.png"));
  for (const char* label : {"orders-0", "broker 1", "new leader"})
    EXPECT_NE(text.find(label), std::string::npos) << label << " not read in:\n" << text;
  window.SetPresentation(false);
  QApplication::processEvents();
  EXPECT_TRUE(window.timeline_panel()->isVisible() || window.chart_panel()->isVisible());
}

// Presentation mode's partitions table at the projector's size: no horizontal scroll bar, every
// text column as wide as its text (none elided), the replica bars with their labels whole, and
// the largest type that allows it, with the ISR and status cells on two lines where only that
// fits. Before, 1280x800 scrolled the bars out of sight and 1600x1000 cut their labels ("hea",
// "c" for offline) and the header; before two lines, a 900 px window cut the bars' header and
// "offline" even at 12 px.
TEST(ScreenshotTest, PresentationTableFitsTheScreenWithTheLargestTypeThatFits) {
  std::unique_ptr<MainWindow> shown = PresentationWindow();
  MainWindow& window = *shown;
  auto* table = window.partitions_panel()->findChild<QTableView*>(QStringLiteral("partitions"));
  ASSERT_NE(table, nullptr);
  const QHeaderView* header = table->horizontalHeader();
  auto px = [&] { return QFontInfo(table->font()).pixelSize(); };
  auto expect_fits = [&](const char* size) {
    SCOPED_TRACE(size);
    EXPECT_EQ(table->horizontalScrollBar()->maximum(), 0);
    EXPECT_TRUE(table->isColumnHidden(PartitionsModel::kReplicas)) << "the bars list the replicas";
    const QAbstractItemView* view = table;
    for (int c = 0; c < PartitionsModel::kLog; ++c) {
      if (table->isColumnHidden(c)) continue;
      EXPECT_GE(header->sectionSize(c), view->sizeHintForColumn(c)) << "column " << c << " is elided";
      EXPECT_GE(header->sectionSize(c), header->sectionSizeHint(c)) << "header " << c << " is cut";
    }
    EXPECT_GE(header->sectionSize(PartitionsModel::kLog), PartitionBarsDelegate::MinWidth(table->font()));
    EXPECT_GE(header->sectionSize(PartitionsModel::kLog), header->sectionSizeHint(PartitionsModel::kLog));
    // The largest type: the next size up would not fit.
    if (px() < MainWindow::kPresentationPx) {
      EXPECT_GT(window.PartitionsTableNeedsAt(px() + 2), table->viewport()->width());
    }
  };
  expect_fits("1920x1080");
  EXPECT_EQ(px(), MainWindow::kPresentationPx);
  window.resize(1280, 800);
  QApplication::processEvents();
  expect_fits("1280x800");
  // 24 px on one line would scroll; on two lines it fits.
  EXPECT_EQ(px(), MainWindow::kPresentationPx);
  EXPECT_TRUE(window.partitions_model().two_lines());
  window.resize(1600, 1000);
  QApplication::processEvents();
  expect_fits("1600x1000");
  // An old 1024x768 projector: smaller type, but every column whole.
  window.resize(1024, 768);
  QApplication::processEvents();
  expect_fits("1024x768");
  EXPECT_GE(px(), MainWindow::kSmallestTablePx);
  EXPECT_LE(QFontInfo(header->font()).pixelSize(), px()) << "headers no larger than the cells";
  // A 900 px window: even 12 px on one line would scroll; the ISR and status cells take two lines
  // (rows are three replicas high), so the table fits without a scroll bar.
  window.resize(900, 650);
  QApplication::processEvents();
  expect_fits("900x650");
  EXPECT_TRUE(window.partitions_model().two_lines());
  EXPECT_EQ(window.partitions_model().data(window.partitions_model().index(0, PartitionsModel::kIsr), Qt::DisplayRole),
            QStringLiteral("3,1\nout: 2*"));
  // The filter still matches the one-line text.
  auto* filter = window.partitions_panel()->findChild<QLineEdit*>(QStringLiteral("partition-filter"));
  ASSERT_NE(filter, nullptr);
  filter->setText(QStringLiteral("under-replicated"));
  EXPECT_EQ(table->model()->rowCount(), 3);
  filter->setText(QString());
  window.resize(1920, 1080);
  QApplication::processEvents();
  EXPECT_EQ(px(), MainWindow::kPresentationPx) << "the type grows back with the window";
  EXPECT_FALSE(window.partitions_model().two_lines()) << "on one line again where it fits";
  // Leaving presentation mode gives the table back the window's type, the replicas column and
  // the sort arrow.
  window.SetPresentation(false);
  QApplication::processEvents();
  EXPECT_EQ(QFontInfo(table->font()).pixelSize(), QFontInfo(window.font()).pixelSize());
  EXPECT_FALSE(table->isColumnHidden(PartitionsModel::kReplicas));
  EXPECT_TRUE(header->isSortIndicatorShown());
}

}  // namespace
}  // namespace samsa::gui

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// samsa-gui's time travel, lag chart and classroom features, on a real Qt application.
#include <QAction>
#include <QAreaSeries>
#include <QLineSeries>
#include <QChart>
#include <QValueAxis>
#include <QComboBox>
#include <QDir>
#include <QDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QListWidget>
#include <QTest>
#include <QMessageBox>
#include <QProcess>
#include <QSpinBox>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>

#include <fstream>
#include <map>
#include <set>

#include "gui/cluster_widget.h"
#include "gui/inspector.h"
#include "gui/lag_chart.h"
#include "gui/main_window.h"
#include "gui/partitions_model.h"
#include "gui/recording.h"
#include "gui/timeline_model.h"
#include "tests/gui/gui_test_util.h"

namespace samsa::gui {
namespace {

int32_t LeaderOf0(const Snapshot* s) {
  const view::PartitionView* p = s ? s->view.FindPartition("orders", 0) : nullptr;
  return p ? p->leader : -2;
}

bool SeekAndWait(MainWindow& w, int64_t t_ns) {
  w.SeekTo(t_ns);
  return WaitFor([&] { return w.last_snapshot() && w.last_snapshot()->view.at_ns == t_ns && !w.last_snapshot()->playing; }, 60);
}

bool SameSample(const Sample& a, const Sample& b) {
  if (a.at_ns != b.at_ns || a.total_lag != b.total_lag || a.isr_total != b.isr_total ||
      a.partitions.size() != b.partitions.size())
    return false;
  for (size_t i = 0; i < a.partitions.size(); ++i)
    if (a.partitions[i].high_watermark != b.partitions[i].high_watermark ||
        a.partitions[i].durable != b.partitions[i].durable)
      return false;
  return true;
}

TEST(TimeTravelTest, ScrubbingBackShowsTheEarlierState) {
  App();
  // What the cluster looked like at 8 s, from a session of its own.
  std::unique_ptr<sim::Session> reference = Open("leader-election", 42);
  reference->RunUntil(8 * kS);
  const view::ClusterView at8 = reference->View();
  const int32_t leader_at_8 = at8.FindPartition("orders", 0)->leader;
  ASSERT_GE(leader_at_8, 1);

  auto window = OpenLive();
  ASSERT_TRUE(SeekAndWait(*window, 20 * kS));
  const int32_t leader_at_20 = LeaderOf0(window->last_snapshot());
  EXPECT_NE(leader_at_20, leader_at_8) << "the crash at 10 s should have moved the leadership";
  EXPECT_GE(window->samples(0).size(), 200u);

  // While the session re-runs to 8 s, the picture shows a view recorded before 8 s.
  window->SeekTo(8 * kS);
  EXPECT_GE(window->preview_ns(), 0);
  EXPECT_LE(window->preview_ns(), 8 * kS);
  ASSERT_TRUE(WaitFor([&] { return window->last_snapshot()->view.at_ns == 8 * kS; }, 60));
  EXPECT_EQ(window->preview_ns(), -1) << "the exact view replaced the preview";
  const Snapshot* s = window->last_snapshot();
  EXPECT_EQ(LeaderOf0(s), leader_at_8);
  EXPECT_EQ(s->view.FindPartition("orders", 0)->isr, at8.FindPartition("orders", 0)->isr);
  // The table shows it too, and nothing after 8 s is left in the timeline or the curves.
  const PartitionsModel& model = window->partitions_model();
  bool found = false;
  for (int r = 0; r < model.rowCount(); ++r) {
    if (model.index(r, PartitionsModel::kPartition).data().toString() != "orders-0") continue;
    found = true;
    EXPECT_EQ(model.index(r, PartitionsModel::kLeader).data().toString(), QString::number(leader_at_8));
  }
  EXPECT_TRUE(found);
  for (int i = 0; i < window->timeline_model().rowCount(); ++i) EXPECT_LE(window->timeline_model().event(i).at_ns, 8 * kS);
  ASSERT_FALSE(window->samples(0).empty());
  EXPECT_EQ(window->samples(0).back().at_ns, 8 * kS);
}

// The end of the run finishes the session (verdicts in the timeline); scrubbing back re-runs it
// unfinished, and going to the end again finishes it again with the same verdicts.
TEST(TimeTravelTest, TheVerdictsComeAtTheEndAndGoWhenScrubbingBack) {
  App();
  auto window = OpenLive();
  auto verdicts = [&] {
    int n = 0;
    for (int i = 0; i < window->timeline_model().rowCount(); ++i)
      n += window->timeline_model().event(i).kind == view::EventKind::kExpectation;
    return n;
  };
  ASSERT_TRUE(SeekAndWait(*window, 50 * kS));
  ASSERT_TRUE(WaitFor([&] { return verdicts() > 0; }, 60));
  const int at_end = verdicts();
  EXPECT_EQ(window->explain_text(), QStringLiteral("The run passed: all %1 expectations held.").arg(at_end));

  ASSERT_TRUE(SeekAndWait(*window, 20 * kS));
  EXPECT_EQ(verdicts(), 0);
  for (int i = 0; i < window->timeline_model().rowCount(); ++i) EXPECT_LE(window->timeline_model().event(i).at_ns, 20 * kS);
  EXPECT_FALSE(window->explain_text().startsWith("The run passed"));

  ASSERT_TRUE(SeekAndWait(*window, 50 * kS));
  ASSERT_TRUE(WaitFor([&] { return verdicts() > 0; }, 60));
  EXPECT_EQ(verdicts(), at_end);
}

// A branch made at the end of a run is finished like its parent (nothing is left to run); one
// made earlier is not.
TEST(TimeTravelTest, ABranchAtTheEndIsFinishedLikeItsParent) {
  App();
  Recording recording(Open("leader-election", 42));
  const int64_t end = recording.session().end_ns();
  recording.AdvanceTo(end);
  ASSERT_TRUE(recording.session().finished());
  auto verdicts = [](const sim::Session& s) {
    return std::count_if(s.events().begin(), s.events().end(),
                         [](const view::ClusterEvent& e) { return e.kind == view::EventKind::kExpectation; });
  };
  const auto at_end = verdicts(recording.session());
  ASSERT_GT(at_end, 0);
  auto last = recording.Branch(end);
  ASSERT_TRUE(last.ok()) << last.status().message();
  EXPECT_TRUE((*last)->session().finished());
  EXPECT_EQ(verdicts((*last)->session()), at_end);
  auto earlier = recording.Branch(20 * kS);
  ASSERT_TRUE(earlier.ok());
  EXPECT_FALSE((*earlier)->session().finished());
  EXPECT_EQ(verdicts((*earlier)->session()), 0);
}

TEST(TimeTravelTest, ABranchDiffersFromItsParentOnlyAfterTheBranchPoint) {
  App();
  auto window = OpenLive();
  ASSERT_TRUE(SeekAndWait(*window, 8 * kS));
  window->BranchHere();
  ASSERT_TRUE(WaitFor([&] { return window->last_snapshot()->branches.size() == 2 && window->last_snapshot()->branch == 1; }, 30));
  // What if broker 1 had crashed too, at 8 s? (The scenario crashes broker 2, orders-0's leader
  // at seed 42, at 10 s.)
  window->InjectOnNode(sim::FaultType::kCrash, 1);
  ASSERT_TRUE(WaitFor([&] { return window->last_snapshot()->branches[1].injections == 1; }, 30));
  ASSERT_TRUE(SeekAndWait(*window, 20 * kS));
  std::vector<view::ClusterEvent> branch_events;
  for (int i = 0; i < window->timeline_model().rowCount(); ++i) branch_events.push_back(window->timeline_model().event(i));
  // The parent, untouched, to 20 s as well.
  window->SwitchBranch(0);
  ASSERT_TRUE(WaitFor([&] { return window->last_snapshot()->branch == 0; }, 30));
  EXPECT_EQ(window->last_snapshot()->view.at_ns, 8 * kS) << "the parent keeps its own clock";
  ASSERT_TRUE(SeekAndWait(*window, 20 * kS));
  std::vector<view::ClusterEvent> parent_events;
  for (int i = 0; i < window->timeline_model().rowCount(); ++i) parent_events.push_back(window->timeline_model().event(i));

  const std::vector<Sample>& parent = window->samples(0);
  const std::vector<Sample>& branch = window->samples(1);
  ASSERT_EQ(parent.size(), branch.size());
  size_t same_before = 0, differ_after = 0;
  for (size_t i = 0; i < parent.size(); ++i) {
    if (parent[i].at_ns <= 8 * kS) same_before += SameSample(parent[i], branch[i]) ? 1 : 0;
    else differ_after += SameSample(parent[i], branch[i]) ? 0 : 1;
  }
  EXPECT_EQ(same_before, 81u) << "every sample up to the branch point (0, 0.1 s, ..., 8 s) is the parent's";
  EXPECT_GT(differ_after, 50u);
  // Events: the same up to the branch point, then the branch's own crash.
  auto before = [](const std::vector<view::ClusterEvent>& es) {
    std::vector<std::string> out;
    for (const view::ClusterEvent& e : es)
      if (e.at_ns < 8 * kS) out.push_back(std::to_string(e.at_ns) + " " + e.detail + e.text);
    return out;
  };
  EXPECT_EQ(before(parent_events), before(branch_events));
  auto crashes_of_1 = [](const std::vector<view::ClusterEvent>& es) {
    int n = 0;
    for (const view::ClusterEvent& e : es)
      n += e.kind == view::EventKind::kFault && e.text.find("crash broker-1") != std::string::npos ? 1 : 0;
    return n;
  };
  EXPECT_EQ(crashes_of_1(branch_events), 1);
  EXPECT_EQ(crashes_of_1(parent_events), 0);

  // Overlaid on the lag chart: the other branch's curves, dashed, named after it.
  window->SetCompareBranch(1);
  std::set<std::string> names;
  for (const QString& n : window->lag_chart().SeriesNames()) names.insert(n.toStdString());
  EXPECT_TRUE(names.count("ISR size, all partitions")) << "the current branch's ISR curve";
  EXPECT_TRUE(names.count("ISR size, all partitions (branch 2)")) << "the compared branch's ISR curve";
}

TEST(TimeTravelTest, ASavedSessionReplaysToTheSameHash) {
  App();
  auto window = OpenLive();
  ASSERT_TRUE(SeekAndWait(*window, 7 * kS));
  window->InjectOnNode(sim::FaultType::kPause, 2);
  ASSERT_TRUE(SeekAndWait(*window, 9 * kS));
  window->InjectOnNode(sim::FaultType::kResume, 2);
  ASSERT_TRUE(WaitFor([&] { return window->last_snapshot()->branches[0].injections == 2; }, 30));
  const int64_t end = window->last_snapshot()->end_ns;
  ASSERT_TRUE(SeekAndWait(*window, end));
  const uint64_t hash = window->last_snapshot()->trace_hash;

  QTemporaryDir dir;
  const QString path = dir.filePath("saved.yaml");
  ASSERT_TRUE(window->SaveSession(path));
  Result<std::string> text = os::ReadFileToString(path.toStdString());
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("pause"), std::string::npos) << *text;
  Result<sim::Scenario> saved = sim::ParseScenario(*text, path.toStdString());
  ASSERT_TRUE(saved.ok()) << saved.status().message() << "\n" << *text;
  ASSERT_EQ(saved->seed.value_or(0), 42u);
  auto replay = sim::Session::Open(*saved, *saved->seed);
  ASSERT_TRUE(replay.ok());
  (*replay)->RunUntil(end);
  EXPECT_EQ((*replay)->trace_hash(), hash);
  // And the actions mattered: the scenario alone runs to another hash.
  std::unique_ptr<sim::Session> plain = Open("leader-election", 42);
  plain->RunUntil(end);
  EXPECT_NE(plain->trace_hash(), hash);
}

TEST(LessonTest, APausingCaptionStopsTheRunUntilResumed) {
  App();
  // leader-election's 5 s caption has `pause: true`.
  auto window = OpenLive();
  auto* speed = window->findChild<QComboBox*>("speed");
  speed->setCurrentIndex(speed->findText("as fast as possible"));
  ASSERT_TRUE(TriggerAction(*window, "Play"));
  ASSERT_TRUE(WaitFor([&] { return window->last_snapshot()->stopped_at_caption; }, 60));
  const Snapshot* s = window->last_snapshot();
  EXPECT_EQ(s->view.at_ns, 5 * kS);
  EXPECT_FALSE(s->playing);
  EXPECT_TRUE(window->caption_text().contains("Look at orders-0")) << window->caption_text().toStdString();
  EXPECT_TRUE(window->caption_text().contains("press Space to continue"));
  // It stays there (the worker keeps ticking every 10 ms meanwhile).
  WaitFor([] { return false; }, 1);
  EXPECT_EQ(window->last_snapshot()->view.at_ns, 5 * kS);
  // Space continues, as the caption says, whatever has the focus by default (the partition filter
  // once took it, and the space went into the filter).
  window->activateWindow();
  QApplication::processEvents();
  QWidget* focus = QApplication::focusWidget();
  EXPECT_EQ(qobject_cast<QLineEdit*>(focus), nullptr) << "a text field has the focus";
  QTest::keyClick(focus != nullptr ? focus : window.get(), Qt::Key_Space);
  ASSERT_TRUE(WaitFor([&] { return window->last_snapshot()->view.at_ns > 6 * kS; }, 60));
}

TEST(LagChartTest, DrawsOffsetsLagAndFaultPeriodsAndExportsCsv) {
  App();
  Recording recording(Open("leader-election", 42));
  recording.AdvanceTo(30 * kS);
  MainWindow window(/*live=*/false);
  window.resize(1400, 900);
  std::shared_ptr<Snapshot> s = SnapshotOf(recording);
  window.ApplySnapshot(s);
  window.RedrawChart();
  std::set<std::string> names;
  for (const QString& n : window.lag_chart().SeriesNames()) names.insert(n.toStdString());
  for (const char* n : {"high watermark", "durable (leader)", "consumer 1002 position", "consumer 1002 lag",
                        "ISR size, all partitions"})
    EXPECT_TRUE(names.count(n)) << n;
  EXPECT_EQ(window.lag_chart().partition(), "orders-0");
  EXPECT_EQ(window.lag_chart().ShadedPeriods(), 1) << "the crash of orders-0's leader, 10 s to 25 s";
  const std::vector<std::pair<int64_t, int64_t>> periods = FaultPeriods(recording.session().events(), 30 * kS);
  ASSERT_EQ(periods.size(), 1u);
  EXPECT_EQ(periods[0], std::make_pair(10 * kS, 25 * kS));
  // The CSV holds every point: 301 samples (0..30 s) of the high watermark among them.
  const QString csv = window.lag_chart().Csv();
  EXPECT_EQ(csv.count("\"high watermark\","), recording.samples().size() - size_t(std::count_if(
      recording.samples().begin(), recording.samples().end(),
      [](const Sample& x) { return x.partitions.empty() || x.partitions[0].high_watermark < 0; })));
  EXPECT_EQ(recording.samples().size(), 301u);
  // The ISR size has its own axis, on the right: a lag spike of thousands must not flatten it.
  const QChart* lower = window.lag_chart().lag_and_isr_chart();
  ASSERT_NE(lower, nullptr);
  int64_t isr_max = 0;
  for (const Sample& x : recording.samples()) isr_max = std::max<int64_t>(isr_max, x.isr_total);
  auto vertical_axis = [&](const QString& name) -> const QValueAxis* {
    for (QAbstractSeries* series : lower->series()) {
      if (series->name() != name) continue;
      for (QAbstractAxis* a : series->attachedAxes())
        if (a->orientation() == Qt::Vertical) return qobject_cast<const QValueAxis*>(a);
    }
    return nullptr;
  };
  const QValueAxis* isr_axis = vertical_axis(QStringLiteral("ISR size, all partitions"));
  const QValueAxis* lag_axis = vertical_axis(QStringLiteral("consumer 1002 lag"));
  ASSERT_NE(isr_axis, nullptr);
  ASSERT_NE(lag_axis, nullptr);
  EXPECT_EQ(isr_axis->alignment(), Qt::AlignRight);
  EXPECT_EQ(lag_axis->alignment(), Qt::AlignLeft);
  EXPECT_GE(isr_axis->max(), double(isr_max));
  EXPECT_LE(isr_axis->max(), 2.0 * double(isr_max)) << "the ISR line uses its axis's height";
  // The fault shading's bounds go with the chart they were drawn on: a redraw (one per new
  // picture while a run plays) must not leave them behind (they leaked before: an area series
  // does not own its bounds).
  int bounds = 0, bounds_freed = 0;
  for (const QChart* chart : {window.lag_chart().offsets_chart(), lower})
    for (QAbstractSeries* series : chart->series())
      if (auto* area = qobject_cast<QAreaSeries*>(series))
        for (QLineSeries* bound : {area->upperSeries(), area->lowerSeries()}) {
          ASSERT_NE(bound, nullptr);
          ++bounds;
          QObject::connect(bound, &QObject::destroyed, [&] { ++bounds_freed; });
        }
  EXPECT_EQ(bounds, 4) << "one fault period, upper and lower bound, on both charts";
  // Another partition.
  window.lag_chart().SetPartition("orders-2");
  window.RedrawChart();
  EXPECT_EQ(window.lag_chart().partition(), "orders-2");
  EXPECT_EQ(bounds_freed, bounds);
}

TEST(ClassroomTest, TheGalleryListsEveryScenarioAndOpensOneWithAClick) {
  App();
  MainWindow window(/*live=*/true);
  window.SetScenarioDir(QString::fromStdString(std::string(SAMSA_SOURCE_DIR) + "/scenarios"));
  window.show();
  QWidget* gallery = window.ShowGallery();
  auto* list = gallery->findChild<QListWidget*>("gallery");
  ASSERT_NE(list, nullptr);
  const QStringList files = QDir(QString::fromStdString(std::string(SAMSA_SOURCE_DIR) + "/scenarios"))
                                .entryList({QStringLiteral("*.yaml")}, QDir::Files);
  ASSERT_EQ(list->count(), files.size());
  QListWidgetItem* item = nullptr;
  for (int i = 0; i < list->count(); ++i)
    if (list->item(i)->text().startsWith("last-replica-standing\n")) item = list->item(i);
  ASSERT_NE(item, nullptr);
  EXPECT_GT(item->text().size(), 60) << "name and description";
  emit list->itemClicked(item);
  EXPECT_TRUE(window.windowTitle().contains("last-replica-standing")) << window.windowTitle().toStdString();
  ASSERT_TRUE(WaitFor([&] { return window.last_snapshot() && window.last_snapshot()->scenario_name == "last-replica-standing"; }, 30));
}

TEST(InspectorTest, ShowsABrokersRoleAndTheRecordsAProducerWroteAndFollowsOne) {
  App();
  Recording recording(Open("leader-election", 42));
  recording.AdvanceTo(20 * kS);
  MainWindow window(/*live=*/false);
  window.resize(1400, 900);
  std::shared_ptr<Snapshot> s = SnapshotOf(recording);
  window.ApplySnapshot(s);
  window.SetHeadlessSession(recording.session());
  const view::PartitionView* p0 = s->view.FindPartition("orders", 0);
  ASSERT_NE(p0, nullptr);
  const int32_t leader = p0->leader;
  window.InspectBroker(leader);
  const QString text = window.inspector().broker_text();
  EXPECT_TRUE(text.contains(QStringLiteral("Broker %1").arg(leader))) << text.toStdString();
  EXPECT_TRUE(text.contains("orders-0")) << text.toStdString();
  EXPECT_TRUE(text.contains("Raft: epoch")) << text.toStdString();
  const view::BrokerView* b = s->view.FindBroker(leader);
  EXPECT_TRUE(text.contains(QString::fromStdString("role " + b->raft_role))) << text.toStdString();
  // Its configuration, each value with its source, and its segments.
  std::map<std::string, std::pair<std::string, std::string>> config;
  const QTableWidget& ct = window.inspector().config();
  for (int r = 0; r < ct.rowCount(); ++r)
    config[ct.item(r, 0)->text().toStdString()] = {ct.item(r, 2)->text().toStdString(), ct.item(r, 1)->text().toStdString()};
  EXPECT_EQ(config["min.insync.replicas"], std::make_pair(std::string("2"), std::string("scenario")));
  EXPECT_EQ(config["broker.session.timeout.ms"], std::make_pair(std::string("3000"), std::string("scenario")));
  EXPECT_EQ(config["replica.lag.time.max.ms"], std::make_pair(std::string("30000"), std::string("default")));
  EXPECT_EQ(config["node.id"], std::make_pair(std::to_string(leader), std::string("simulator")));
  const QTableWidget& st = window.inspector().segments();
  std::set<std::string> with_segments;
  for (int r = 0; r < st.rowCount(); ++r) {
    with_segments.insert(st.item(r, 0)->text().toStdString());
    EXPECT_GT(st.item(r, 2)->text().toLongLong(), 0) << "bytes";
  }
  EXPECT_EQ(with_segments, (std::set<std::string>{"orders-0", "orders-1", "orders-2"})) << "a replica of each";

  // Records asked for in code (as the screenshot does) show in the choices above the table too:
  // the partition, the broker and the offset name what the table holds.
  const int32_t other = leader % 3 + 1;
  ASSERT_TRUE(window.inspector().ReadRecords("orders-2", other, 5));
  EXPECT_EQ(window.inspector().findChild<QComboBox*>("inspector-partition")->currentText(), "orders-2");
  EXPECT_EQ(window.inspector().findChild<QComboBox*>("inspector-replica")->currentData().toInt(), other);
  EXPECT_EQ(window.inspector().findChild<QSpinBox*>("inspector-from")->value(), 5);
  ASSERT_TRUE(window.inspector().ReadRecords("orders-0", leader, 100));
  EXPECT_EQ(window.inspector().findChild<QComboBox*>("inspector-partition")->currentText(), "orders-0");
  const QTableWidget& records = window.inspector().records();
  ASSERT_GT(records.rowCount(), 10);
  EXPECT_EQ(records.item(0, 0)->text(), "100");
  for (int r = 0; r < records.rowCount(); ++r) {
    EXPECT_TRUE(records.item(r, 1)->text().startsWith("k")) << records.item(r, 1)->text().toStdString();
    EXPECT_TRUE(records.item(r, 2)->text().startsWith("p1001-")) << "producer 1001's values";
  }
  // The same records as the session reads.
  auto direct = recording.session().ReadLog(leader, sim::PartitionRef{"orders", 0}, 100, 1);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(records.item(0, 2)->text().toStdString(), (*direct)[0].value);
  // Followed: every replica got offset 100, it was committed, and the consumer read it.
  const QString journey = window.inspector().Follow(0);
  EXPECT_TRUE(journey.contains("offset 100")) << journey.toStdString();
  EXPECT_TRUE(journey.contains("consumer 1002 at")) << journey.toStdString();
  // Every step happened, except the leader's flush: with Kafka's defaults (no log.flush.* in
  // leader-election) the broker never syncs a partition log; the OS writes it back unseen.
  EXPECT_EQ(journey.count("not yet"), 1) << journey.toStdString();
  EXPECT_TRUE(journey.contains("flushed on the leader at not yet")) << journey.toStdString();
  EXPECT_TRUE(journey.contains("Sent by producer 1001")) << journey.toStdString();
  EXPECT_TRUE(journey.contains("(offset 100)")) << "acknowledged with its offset: " << journey.toStdString();
  // The clients' history agrees with the log: the producer was acknowledged with offset 100, after
  // sending, and the consumer read it after that.
  auto h = recording.session().RecordHistory(sim::PartitionRef{"orders", 0}, (*direct)[0].value);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->producer, 1001);
  EXPECT_EQ(h->acked_offset, 100);
  EXPECT_LT(h->sent_ns, h->acked_ns);
  ASSERT_EQ(h->read_by.size(), 1u);
  EXPECT_EQ(h->read_by[0].first, 1002);
  EXPECT_FALSE(recording.session().RecordHistory(sim::PartitionRef{"orders", 0}, "no-such-value").ok());
  const RecordJourney j = FollowRecord(recording.samples(), 0, 0, 100);
  EXPECT_EQ(j.replica_got.size(), 3u);
  ASSERT_GE(j.committed_ns, 0);
  for (const auto& [broker, at] : j.replica_got) EXPECT_LE(at, j.committed_ns) << "acks=all: every ISR replica first";
  // An offset far past the end: nothing yet.
  const RecordJourney later = FollowRecord(recording.samples(), 0, 0, 1'000'000);
  EXPECT_TRUE(later.replica_got.empty());
  EXPECT_EQ(later.committed_ns, -1);
}

TEST(ClassroomTest, TheExplainLineSaysWhatTheLastEventMeantWithTheScenariosSettings) {
  App();
  std::unique_ptr<sim::Session> session = Open("leader-election", 42);
  session->RunUntil(14 * kS);
  MainWindow window(/*live=*/false);
  window.SetScenario(std::make_shared<const sim::Scenario>(session->scenario()));
  std::shared_ptr<Snapshot> s = MakeSnapshot(*session, 0);
  s->reset = true;
  window.ApplySnapshot(s);
  // The last significant event by 14 s: broker 2 (orders-0's leader at seed 42, crashed at 10 s)
  // fenced out of the ISRs, after leader-election's 3 s session timeout.
  const std::string text = window.explain_text().toStdString();
  EXPECT_NE(text.find("ISR of orders-"), std::string::npos) << text;
  EXPECT_NE(text.find("broker 2"), std::string::npos) << text;
  EXPECT_NE(text.find("broker.session.timeout.ms (3 s)"), std::string::npos) << text;
}

TEST(FlowTest, RequestsInFlightAreDrawnOnTheLinksWhenTheFlowIsOn) {
  App();
  auto window = OpenLive();
  ASSERT_TRUE(SeekAndWait(*window, 8 * kS));
  EXPECT_TRUE(window->last_snapshot()->frames.empty()) << "the flow is off by default";
  for (QAction* a : window->findChildren<QAction*>())
    if (a->text().startsWith("&Flow")) a->setChecked(true);
  ASSERT_TRUE(WaitFor([&] { return !window->last_snapshot()->frames.empty(); }, 30));
  // Step a few events: produce requests and replica fetches are on the wire at 8 s.
  std::set<std::string> apis;
  for (int i = 0; i < 200 && apis.size() < 2; ++i) {
    const size_t before = window->last_snapshot()->view.event_index;
    ASSERT_TRUE(TriggerAction(*window, "Step event"));
    ASSERT_TRUE(WaitFor([&] { return window->last_snapshot()->view.event_index > before; }, 30));
    for (const view::FrameView& f : window->last_snapshot()->frames)
      if (f.request) apis.insert(f.api);
  }
  EXPECT_TRUE(apis.count("Produce")) << "the producer's requests";
  EXPECT_TRUE(apis.count("Fetch")) << "replica and consumer fetches";
  window->cluster_widget().grab();
  EXPECT_GT(window->cluster_widget().frames_drawn(), 0u);
  for (QAction* a : window->findChildren<QAction*>())
    if (a->text().startsWith("&Flow")) a->setChecked(false);
  ASSERT_TRUE(WaitFor([&] { return window->last_snapshot()->frames.empty(); }, 30));
  window->cluster_widget().grab();
  EXPECT_EQ(window->cluster_widget().frames_drawn(), 0u);
}

TEST(ReportTest, AFailingSeedFromASweepReportOpensAtItsFirstViolation) {
  App();
  // unclean-election-loss, judged strictly: its acknowledged-record loss is now a failure.
  Result<std::string> text = os::ReadFileToString(ScenarioPath("unclean-election-loss"));
  ASSERT_TRUE(text.ok());
  std::string strict = text->substr(0, text->find("\nexpect:")) + "\nexpect: [no_violations]\n";
  QTemporaryDir dir;
  const QString scenario = dir.filePath("strict.yaml");
  {
    std::ofstream(scenario.toStdString()) << strict;
  }
  const QString report = dir.filePath("sweep.json");
  QProcess sweep;
  sweep.start(QStringLiteral(SAMSA_BINARY_DIR "/sim/samsa-sim"),
              {"sweep", scenario, "--seeds", "1..2", "--json", report});
  ASSERT_TRUE(sweep.waitForFinished(120'000));
  ASSERT_TRUE(QFileInfo::exists(report)) << sweep.readAllStandardError().toStdString();

  // Where its first violation is, found independently.
  Result<sim::Scenario> sc = sim::ParseScenario(strict, "strict.yaml");
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  auto reference = sim::Session::Open(*sc, 1);
  ASSERT_TRUE(reference.ok());
  (*reference)->Finish();
  int64_t first_at = -1;
  for (const view::ClusterEvent& e : (*reference)->events())
    if (e.kind == view::EventKind::kViolation) {
      first_at = e.at_ns;
      break;
    }
  ASSERT_GE(first_at, 0) << "seed 1 should fail";

  MainWindow window(/*live=*/true);
  window.show();
  QWidget* dialog = window.OpenReport(report);
  ASSERT_NE(dialog, nullptr);
  auto* table = dialog->findChild<QTableWidget*>("report");
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->rowCount(), 2);
  EXPECT_EQ(table->item(0, 1)->text(), "FAILED");
  int row = -1;
  for (int r = 0; r < table->rowCount(); ++r)
    if (table->item(r, 0)->text() == "1") row = r;
  ASSERT_GE(row, 0);
  emit table->cellClicked(row, 0);
  ASSERT_TRUE(WaitFor([&] {
    const Snapshot* s = window.last_snapshot();
    return s && s->seed == 1 && window.timeline_model().FirstViolationRow() >= 0;
  }, 120));
  const Snapshot* s = window.last_snapshot();
  EXPECT_FALSE(s->playing);
  EXPECT_GE(s->view.at_ns, first_at);
  EXPECT_LE(s->view.at_ns, first_at + 10'000'000) << "positioned at the first violation (10 ms steps)";
  EXPECT_EQ(window.timeline_model().event(window.timeline_model().FirstViolationRow()).at_ns, first_at);

  // Not a report: an error, and nothing else changes.
  const QString bad = dir.filePath("bad.json");
  { std::ofstream(bad.toStdString()) << "{\"hello\": 1}"; }
  EXPECT_EQ(window.OpenReport(bad), nullptr);
  ASSERT_NE(window.error_box(), nullptr);
  EXPECT_TRUE(window.error_box()->informativeText().contains("expected a samsa-sim run or sweep report"));
}

}  // namespace
}  // namespace samsa::gui

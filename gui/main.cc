// samsa-gui: watch a simulated Kafka cluster think, live.
//   samsa-gui [SCENARIO] [--seed N]
//       opens the scenario (default: the leader-election classroom scenario) in a window.
//   samsa-gui [SCENARIO] [--seed N] [--run-for 20s] --screenshot FILE.png
//             [--view cluster|partitions|timeline|chart|inspector|all] [--size 1600x1000] [--presentation]
//             [--inspect NODE] [--compare SAVED-SESSION.yaml] [--flow]
//       runs the scenario to that instant without a window (QT_QPA_PLATFORM=offscreen works),
//       renders the view and saves it as PNG. Same arguments, same pixels.
#include <QApplication>
#include <QListView>
#include <QPixmap>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <optional>
#include <set>
#include <string>

#include "gui/inspector.h"
#include "gui/main_window.h"
#include "net/os/file_util.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/session.h"

namespace {

std::string DefaultScenario() { return std::string(SAMSA_SOURCE_DIR) + "/scenarios/leader-election.yaml"; }

// --screenshot's defaults and limits.
constexpr const char* kDefaultRunFor = "20s";
constexpr int kMinWidth = 200, kMinHeight = 150, kMaxSide = 10000;

// run_for "" means the default (or the run's end, when it is shorter); inspect_given: --inspect was.
int Screenshot(const std::string& path, std::optional<uint64_t> seed, const std::string& run_for,
               const std::string& file, const std::string& which, const std::string& size, bool presentation,
               bool inspect_given, int inspect, const std::string& compare, bool flow) {
  auto text = samsa::os::ReadFileToString(path);
  if (!text.ok()) {
    fmt::print(stderr, "samsa-gui: cannot read {}: {}\n", path, text.status().ToString());
    return 2;
  }
  auto scenario = samsa::sim::ParseScenario(*text, path);
  if (!scenario.ok()) {
    fmt::print(stderr, "{}\n", scenario.status().message());
    return 2;
  }
  auto at = samsa::sim::ParseDurationNs(run_for.empty() ? kDefaultRunFor : run_for);
  if (!at.ok()) {
    fmt::print(stderr, "samsa-gui: --run-for: {}\n", at.status().message());
    return 2;
  }
  // The instant must lie within the run; the default stops at its end when the run is shorter.
  const int64_t end_ns = scenario->run_for_ns + scenario->settle_ns;
  if (*at > end_ns) {
    if (!run_for.empty()) {
      fmt::print(stderr, "samsa-gui: --run-for {}: the run ends at {} (run_for + settle)\n", run_for,
                 samsa::sim::FormatDuration(end_ns));
      return 2;
    }
    *at = end_ns;
  }
  int width = 0, height = 0;
  char rest = 0;
  if (std::sscanf(size.c_str(), "%dx%d%c", &width, &height, &rest) != 2 || width < kMinWidth || height < kMinHeight ||
      width > kMaxSide || height > kMaxSide) {
    fmt::print(stderr,
               "samsa-gui: --size {}: expected WIDTHxHEIGHT (e.g. 1600x1000), width {} to {}, height {} to {}\n", size,
               kMinWidth, kMaxSide, kMinHeight, kMaxSide);
    return 2;
  }
  static const std::set<std::string> kViews = {"cluster", "partitions", "timeline", "chart", "inspector", "all"};
  if (kViews.count(which) == 0) {
    fmt::print(stderr, "samsa-gui: --view {}: expected one of cluster, partitions, timeline, chart, inspector, all\n",
               which);
    return 2;
  }
  const uint64_t s = seed.value_or(scenario->seed.value_or(1));
  auto session = samsa::sim::Session::Open(*scenario, s);
  if (!session.ok()) {
    fmt::print(stderr, "samsa-gui: {}\n", session.status().message());
    return 2;
  }
  samsa::gui::MainWindow window(/*live=*/false);
  window.setWindowTitle(QStringLiteral("samsa — %1 (seed %2)").arg(QString::fromStdString(scenario->name)).arg(s));
  window.resize(width, height);
  if (presentation) window.SetPresentation(true);
  window.SetScenario(std::make_shared<const samsa::sim::Scenario>(*scenario));
  // Two views, one simulated second apart, so that the clients' rates have an interval.
  samsa::gui::Recording recording(std::move(*session));
  recording.AdvanceTo(std::max<int64_t>(0, *at - 1'000'000'000));
  std::shared_ptr<samsa::gui::Snapshot> first = samsa::gui::MakeSnapshot(recording, 0, 0);
  first->reset = true;
  window.ApplySnapshot(first);
  const size_t events_seen = recording.session().events().size();
  const size_t samples_seen = recording.samples().size();
  recording.AdvanceTo(*at);
  std::shared_ptr<samsa::gui::Snapshot> last = samsa::gui::MakeSnapshot(recording, events_seen, samples_seen);
  if (flow) last->frames = recording.session().FramesInFlight();
  window.ApplySnapshot(last);
  window.show();
  QApplication::processEvents();
  // The timeline follows the run, as the live window's does (it scrolls to new events while it
  // is at the bottom): laid out only now, it is scrolled to its end here.
  if (auto* timeline = window.timeline_panel()->findChild<QListView*>()) timeline->scrollToBottom();
  QApplication::processEvents();
  QWidget* target = &window;
  if (which == "cluster") target = window.cluster_panel();
  else if (which == "partitions") target = window.partitions_panel();
  else if (which == "timeline") target = window.timeline_panel();
  else if (which == "chart") target = window.chart_panel();
  else if (which == "inspector") target = window.inspector_panel();
  if (!compare.empty()) {
    // Another run (a saved session: a branch of this one) to overlay on the lag chart.
    auto other_text = samsa::os::ReadFileToString(compare);
    auto other = other_text.ok() ? samsa::sim::ParseScenario(*other_text, compare) : samsa::Result<samsa::sim::Scenario>(other_text.status());
    if (!other.ok()) {
      fmt::print(stderr, "samsa-gui: --compare {}: {}\n", compare, other.status().message());
      return 2;
    }
    auto other_session = samsa::sim::Session::Open(*other, other->seed.value_or(s));
    if (!other_session.ok()) {
      fmt::print(stderr, "samsa-gui: --compare {}: {}\n", compare, other_session.status().message());
      return 2;
    }
    samsa::gui::Recording other_recording(std::move(*other_session));
    other_recording.AdvanceTo(*at);
    window.SetBranchSamples(1, other_recording.samples());
    window.SetCompareBranch(1);
  }
  if (which == "chart") window.RedrawChart();
  if (inspect_given) {
    const samsa::view::ClusterView& v = window.last_snapshot()->view;
    std::string ids;
    bool known = false;
    for (const samsa::view::BrokerView& b : v.brokers) {
      known |= b.id == inspect;
      ids += (ids.empty() ? "" : ", ") + std::to_string(b.id);
    }
    if (!known) {
      fmt::print(stderr, "samsa-gui: --inspect {}: no such node; the cluster's nodes are {}\n", inspect, ids);
      return 2;
    }
    // The broker, and the last records of the first partition it leads, the first one followed.
    window.SetHeadlessSession(recording.session());
    window.InspectBroker(inspect);
    for (const samsa::view::TopicView& t : v.topics)
      for (const samsa::view::PartitionView& p : t.partitions) {
        if (p.leader != inspect) continue;
        int64_t hw = 0;
        for (const samsa::view::ReplicaView& r : p.replica_views) hw = r.is_leader ? r.high_watermark : hw;
        const std::string name = t.name + "-" + std::to_string(p.partition);
        if (window.inspector().ReadRecords(name, inspect, std::max<int64_t>(0, hw - 3000))) window.inspector().Follow(0);
        goto inspected;
      }
  inspected:;
  }
  if (which != "all") {
    target->setParent(nullptr);
    target->resize(width, height);
    target->show();
    QApplication::processEvents();
  }
  if (!target->grab().save(QString::fromStdString(file), "PNG")) {
    fmt::print(stderr, "samsa-gui: cannot write {}\n", file);
    return 2;
  }
  fmt::print("{}: {} at {} (seed {}), view {}, {}x{}\n", file, scenario->name, samsa::sim::FormatDuration(*at), s,
             which, width, height);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("samsa-gui"));
  CLI::App cli{"samsa-gui: watch a simulated Kafka cluster think"};
  std::string path = DefaultScenario();
  uint64_t seed = 0;
  std::string run_for, screenshot, which = "all", size = "1600x1000";
  bool presentation = false;
  int inspect = -1;
  std::string compare;
  bool flow = false;
  cli.add_option("scenario", path, "Scenario YAML file (default: scenarios/leader-election.yaml)");
  // As samsa-sim's: what a scenario's `seed:` takes (CLI11 alone would turn -1 into 2^64-1).
  CLI::Option* seed_opt =
      cli.add_option("--seed", seed, "Run seed (default: the scenario's seed)")
          ->check(CLI::Validator([](const std::string& s) { return samsa::sim::SeedError(s); }, "SEED"));
  CLI::Option* shot = cli.add_option("--screenshot", screenshot, "Render without a window, save as PNG and exit");
  // The other options serve --screenshot only: without it they are refused, not ignored.
  cli.add_option("--run-for", run_for,
                 "With --screenshot: the simulated instant to show (default 20s, or the run's end if sooner)")
      ->needs(shot);
  cli.add_option("--view", which, "With --screenshot: cluster, partitions, timeline, chart, inspector or all (default)")
      ->needs(shot);
  cli.add_flag("--presentation", presentation, "With --screenshot: in presentation mode (F5)")->needs(shot);
  cli.add_flag("--flow", flow, "With --screenshot: draw the requests in flight on the links")->needs(shot);
  cli.add_option("--compare", compare,
                 "With --screenshot: overlay this run's curves (a saved session) on the lag chart")
      ->needs(shot);
  CLI::Option* inspect_opt =
      cli.add_option("--inspect", inspect,
                     "With --screenshot: inspect this node (and the records of a partition it leads)")
          ->needs(shot);
  cli.add_option("--size", size, "With --screenshot: WIDTHxHEIGHT (default 1600x1000)")->needs(shot);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  std::optional<uint64_t> s;
  if (seed_opt->count() > 0) s = seed;
  if (!screenshot.empty())
    return Screenshot(path, s, run_for, screenshot, which, size, presentation, inspect_opt->count() > 0, inspect,
                      compare, flow);
  samsa::gui::MainWindow window(/*live=*/true);
  window.SetScenarioDir(QString::fromStdString(std::string(SAMSA_SOURCE_DIR) + "/scenarios"));
  window.resize(1500, 950);
  window.show();
  window.OpenFile(QString::fromStdString(path), s);
  return app.exec();
}

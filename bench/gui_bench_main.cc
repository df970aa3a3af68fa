// samsa-gui-bench: the live window under load. Opens bench/gui-200-partitions.yaml (10 brokers,
// 200 partitions, random faults) in a MainWindow, plays it as fast as possible on the session
// worker, and for each snapshot the UI applies, repaints the window synchronously. Reports views
// applied per second of wall time and the UI thread's frame time (apply + repaint): median, p99
// and max. Targets (issue "samsa-gui"): at least 30 views per second, p99 at most 50 ms.
//   samsa-gui-bench [--views N (default 1000)] [--size WxH]   (QT_QPA_PLATFORM=offscreen works)
// With --slider: the time slider instead. Opens scenarios/bench-reference.yaml (60 s of run_for,
// 5 brokers, faults), plays it to 60 s at full speed (recording a view per simulated second), then
// moves the slider to 59 s (a re-run of 59 s: the worst case), 10 s, 30 s, 5 s and 45 s, several
// times. Reports per target the wall time from the move until the window shows a recorded view of
// that second (the preview, repainted) and until it shows the exact instant (the session re-run
// there): medians and max. Target (issue "time travel"): under 1 s anywhere in the 60 s.
#include <QApplication>
#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "gui/main_window.h"

namespace {

bool WaitFor(const std::function<bool()>& done, int64_t ms) {
  QElapsedTimer t;
  t.start();
  while (!done()) {
    if (t.elapsed() > ms) return false;
    QApplication::processEvents(QEventLoop::AllEvents, 5);
  }
  return true;
}

int Slider(samsa::gui::MainWindow& window, int rounds) {
  if (!window.OpenFile(QString::fromStdString(std::string(SAMSA_SOURCE_DIR) + "/scenarios/bench-reference.yaml"))) {
    fmt::print(stderr, "samsa-gui-bench: cannot open scenarios/bench-reference.yaml\n");
    return 2;
  }
  if (!WaitFor([&] { return window.last_snapshot() != nullptr; }, 30'000)) return 2;
  constexpr int64_t kS = 1'000'000'000;
  // Play to 60 s at full speed: the window records a view per simulated second on the way.
  auto* speed = window.findChild<QComboBox*>("speed");
  speed->setCurrentIndex(speed->findText("as fast as possible"));
  for (QAction* a : window.findChildren<QAction*>())
    if (a->text().startsWith("&Lesson mode")) a->setChecked(false);
  for (QAction* a : window.findChildren<QAction*>())
    if (a->text() == "Play") a->trigger();
  if (!WaitFor([&] { return window.last_snapshot()->view.at_ns >= 60 * kS; }, 300'000)) return 2;
  for (QAction* a : window.findChildren<QAction*>())
    if (a->text() == "Pause") a->trigger();
  if (!WaitFor([&] { return !window.last_snapshot()->playing; }, 30'000)) return 2;
  window.SeekTo(60 * kS);
  if (!WaitFor([&] { return window.last_snapshot()->view.at_ns == 60 * kS; }, 120'000)) return 2;

  std::vector<int64_t> targets = {59, 10, 30, 5, 45};
  std::vector<std::vector<double>> preview(targets.size()), exact(targets.size());
  for (int r = 0; r < rounds; ++r)
    for (size_t i = 0; i < targets.size(); ++i) {
      if (r > 0 && i == 0) {  // back to 60 s first, so that 59 s is always a re-run of 59 s
        window.SeekTo(60 * kS);
        if (!WaitFor([&] { return window.last_snapshot()->view.at_ns == 60 * kS; }, 120'000)) return 2;
      }
      const int64_t t_ns = targets[i] * kS;
      QElapsedTimer t;
      t.start();
      window.SeekTo(t_ns);
      window.repaint();
      preview[i].push_back(double(t.nsecsElapsed()) / 1e6);
      if (window.preview_ns() < 0 && window.last_snapshot()->view.at_ns != t_ns) preview[i].back() = -1;
      if (!WaitFor([&] { return window.last_snapshot()->view.at_ns == t_ns; }, 120'000)) {
        fmt::print(stderr, "samsa-gui-bench: the window never showed {} s\n", targets[i]);
        return 2;
      }
      exact[i].push_back(double(t.nsecsElapsed()) / 1e6);
    }
  double worst_preview = 0, worst_exact = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    std::sort(preview[i].begin(), preview[i].end());
    std::sort(exact[i].begin(), exact[i].end());
    const double p = preview[i][preview[i].size() / 2], e = exact[i][exact[i].size() / 2];
    worst_preview = std::max(worst_preview, p);
    worst_exact = std::max(worst_exact, e);
    fmt::print("slider to {:>2} s: recorded view shown in median {:4.0f} ms (max {:4.0f}); exact instant in median "
               "{:5.0f} ms (max {:5.0f}); {} moves\n",
               targets[i], p, preview[i].back(), e, exact[i].back(), exact[i].size());
  }
  fmt::print("slowest median: recorded view {:.0f} ms, exact instant {:.0f} ms (target: under 1000 ms)\n",
             worst_preview, worst_exact);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  CLI::App cli{"samsa-gui-bench"};
  int views = 1000;
  std::string size = "1600x1000";
  cli.add_option("--views", views, "Snapshots to apply and render")->check(CLI::Range(10, 100000));
  cli.add_option("--size", size, "Window size WxH");
  bool slider = false;
  int rounds = 3;
  cli.add_flag("--slider", slider, "Measure the time slider on bench-reference instead");
  cli.add_option("--rounds", rounds, "With --slider: moves per target")->check(CLI::Range(1, 100));
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  int width = 1600, height = 1000;
  std::sscanf(size.c_str(), "%dx%d", &width, &height);
  samsa::gui::MainWindow window(/*live=*/true);
  window.resize(width, height);
  window.show();
  if (slider) return Slider(window, rounds);
  if (!window.OpenFile(QString::fromStdString(std::string(SAMSA_SOURCE_DIR) + "/bench/gui-200-partitions.yaml"))) {
    fmt::print(stderr, "samsa-gui-bench: cannot open bench/gui-200-partitions.yaml\n");
    return 2;
  }
  QElapsedTimer wall;
  wall.start();
  while (window.last_snapshot() == nullptr && wall.elapsed() < 30'000) QApplication::processEvents(QEventLoop::AllEvents, 20);
  if (window.last_snapshot() == nullptr) {
    fmt::print(stderr, "samsa-gui-bench: no snapshot within 30 s\n");
    return 2;
  }
  auto* speed = window.findChild<QComboBox*>("speed");
  speed->setCurrentIndex(speed->count() - 1);  // as fast as possible
  for (QAction* a : window.findChildren<QAction*>())
    if (a->text() == "Play") a->trigger();

  std::vector<double> frame_ms;
  frame_ms.reserve(size_t(views));
  QObject::connect(&window, &samsa::gui::MainWindow::SnapshotApplied, [&] {
    if (int(frame_ms.size()) >= views) return;
    QElapsedTimer paint;
    paint.start();
    window.repaint();
    frame_ms.push_back(double(window.last_apply_ns() + paint.nsecsElapsed()) / 1e6);
  });
  wall.restart();
  while (int(frame_ms.size()) < views && wall.elapsed() < 300'000 && !window.last_snapshot()->at_end)
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  const double seconds = double(wall.elapsed()) / 1000.0;
  if (frame_ms.empty()) {
    fmt::print(stderr, "samsa-gui-bench: no view applied\n");
    return 2;
  }
  std::vector<double> sorted = frame_ms;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&](double p) { return sorted[std::min(sorted.size() - 1, size_t(p * double(sorted.size())))]; };
  const auto& v = window.last_snapshot()->view;
  size_t partitions = 0;
  for (const auto& t : v.topics) partitions += t.partitions.size();
  fmt::print("{} views of {} brokers and {} partitions applied and rendered in {:.1f} s of wall time: {:.1f} views/s "
             "(target >= 30)\n",
             frame_ms.size(), v.brokers.size(), partitions, seconds, double(frame_ms.size()) / seconds);
  fmt::print("UI frame time (apply + repaint): median {:.1f} ms, p99 {:.1f} ms (target <= 50), max {:.1f} ms; "
             "simulated time reached {:.1f} s\n",
             pct(0.5), pct(0.99), sorted.back(), double(v.at_ns) / 1e9);
  return 0;
}

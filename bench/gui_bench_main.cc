// samsa-gui-bench: the live window under load. Opens bench/gui-200-partitions.yaml (10 brokers,
// 200 partitions, random faults) in a MainWindow, plays it as fast as possible on the session
// worker, and for each snapshot the UI applies, repaints the window synchronously. Reports views
// applied per second of wall time and the UI thread's frame time (apply + repaint): median, p99
// and max. Targets (issue "samsa-gui"): at least 30 views per second, p99 at most 50 ms.
//   samsa-gui-bench [--views N (default 1000)] [--size WxH]   (QT_QPA_PLATFORM=offscreen works)
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <vector>

#include "gui/main_window.h"

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  CLI::App cli{"samsa-gui-bench"};
  int views = 1000;
  std::string size = "1600x1000";
  cli.add_option("--views", views, "Snapshots to apply and render")->check(CLI::Range(10, 100000));
  cli.add_option("--size", size, "Window size WxH");
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

#pragma once
// Helpers shared by the GUI tests (one binary: gui_test.cc holds main()).
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QKeySequence>

#include <functional>
#include <memory>
#include <string>

#include "gui/main_window.h"
#include "gui/recording.h"
#include "gui/session_worker.h"
#include "net/os/file_util.h"
#include "sim/scenario.h"
#include "sim/session.h"

namespace samsa::gui {

// The QApplication lives in main() (a static one would be destroyed after Qt's own globals).
inline void App() { ASSERT_NE(QApplication::instance(), nullptr); }

inline constexpr int64_t kS = 1'000'000'000;
inline constexpr int32_t kFirstClientIdForTest = 1001;  // leader-election's producer

inline std::string ScenarioPath(const char* name) { return std::string(SAMSA_SOURCE_DIR) + "/scenarios/" + name + ".yaml"; }

inline std::unique_ptr<sim::Session> Open(const char* name, uint64_t seed) {
  Result<std::string> text = os::ReadFileToString(ScenarioPath(name));
  EXPECT_TRUE(text.ok());
  Result<sim::Scenario> s = sim::ParseScenario(*text, name);
  EXPECT_TRUE(s.ok()) << s.status().message();
  Result<std::unique_ptr<sim::Session>> session = sim::Session::Open(*s, seed);
  EXPECT_TRUE(session.ok());
  return std::move(*session);
}

// Wall-time bounds stretch under AddressSanitizer, which runs the simulator and the UI several
// times slower: with libstdc++'s assertions too, a seek to 50 s of leader-election took over 60 s
// on a 2-core host while another test ran.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kWallBoundScale = 4;
#else
inline constexpr int kWallBoundScale = 1;
#endif

// Runs the event loop until `done` holds or `seconds` of wall time (times kWallBoundScale) pass.
inline bool WaitFor(const std::function<bool()>& done, int seconds) {
  QElapsedTimer timer;
  timer.start();
  while (!done()) {
    if (timer.elapsed() > qint64(seconds) * 1000 * kWallBoundScale) return false;
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  }
  return true;
}

// Triggers the window's action labelled `text` (as a menu or toolbar click does); false if none.
inline bool TriggerAction(QWidget& window, const QString& text) {
  for (QAction* a : window.findChildren<QAction*>())
    if (a->text() == text) return a->trigger(), true;
  return false;
}

// Triggers the window's action with shortcut `key` (as the key press does); false if none.
inline bool TriggerShortcut(QWidget& window, const QKeySequence& key) {
  for (QAction* a : window.findChildren<QAction*>())
    if (a->shortcut() == key) return a->trigger(), true;
  return false;
}

// A live window on `scenario` seed 42, with the first snapshot applied.
inline std::unique_ptr<MainWindow> OpenLive(const char* scenario = "leader-election") {
  auto window = std::make_unique<MainWindow>(/*live=*/true);
  window->show();
  EXPECT_TRUE(window->OpenFile(QString::fromStdString(ScenarioPath(scenario)), 42));
  EXPECT_TRUE(WaitFor([&] { return window->last_snapshot() != nullptr; }, 30));
  return window;
}

// A first snapshot (reset) of `scenario` seed 42 run to t, as a headless window applies it.
inline std::shared_ptr<Snapshot> SnapshotAt(const char* scenario, int64_t t_ns) {
  std::unique_ptr<sim::Session> session = Open(scenario, 42);
  session->RunUntil(t_ns);
  std::shared_ptr<Snapshot> snapshot = MakeSnapshot(*session, 0);
  snapshot->reset = true;
  return snapshot;
}

// The same from a recording (with its samples).
inline std::shared_ptr<Snapshot> SnapshotOf(Recording& recording) {
  std::shared_ptr<Snapshot> snapshot = MakeSnapshot(recording, 0, 0);
  snapshot->reset = true;
  return snapshot;
}

}  // namespace samsa::gui

// A fixture the banned-API scan must reject: every line below breaks a determinism rule.
#include <thread>
#include <fstream>
int Bad() {
  auto t = std::chrono::steady_clock::now();
  std::random_device rd;
  const char* home = getenv("HOME");
  return rand() + int(time(nullptr));
}

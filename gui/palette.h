#pragma once
// Colours of samsa-gui: the Okabe–Ito palette (colour-blind safe). Every state is also shown by
// shape or label, never by colour alone.
#include <QColor>

namespace samsa::gui {

struct Palette {
  static QColor Black() { return QColor(0x00, 0x00, 0x00); }
  static QColor Orange() { return QColor(0xE6, 0x9F, 0x00); }
  static QColor SkyBlue() { return QColor(0x56, 0xB4, 0xE9); }
  static QColor BluishGreen() { return QColor(0x00, 0x9E, 0x73); }
  static QColor Yellow() { return QColor(0xF0, 0xE4, 0x42); }
  static QColor Blue() { return QColor(0x00, 0x72, 0xB2); }
  static QColor Vermillion() { return QColor(0xD5, 0x5E, 0x00); }
  static QColor ReddishPurple() { return QColor(0xCC, 0x79, 0xA7); }
  static QColor Grey() { return QColor(0x99, 0x99, 0x99); }

  // Broker states.
  static QColor Up() { return BluishGreen(); }
  static QColor Down() { return Vermillion(); }
  static QColor Paused() { return Yellow(); }
  static QColor Fenced() { return ReddishPurple(); }
  // Replica bars.
  static QColor LogEnd() { return SkyBlue(); }
  static QColor Durable() { return Blue(); }
  static QColor HighWatermark() { return Black(); }
  static QColor OutOfSync() { return Orange(); }
  // Charts.
  static QColor Violation() { return Vermillion(); }
  static QColor Isr() { return BluishGreen(); }
  // The k-th of several series of one kind (consumers), cycling.
  static QColor Series(int k) {
    const QColor colours[] = {Orange(), ReddishPurple(), SkyBlue(), Yellow(), Grey()};
    return colours[k % 5];
  }
};

}  // namespace samsa::gui

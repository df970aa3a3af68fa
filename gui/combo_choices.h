#pragma once
// Replaces a combo box's items with `items` when they differ, keeping the current choice when it
// is still there (else the first), without emitting index changes. Returns whether it changed.
#include <QComboBox>
#include <QSignalBlocker>
#include <QStringList>

#include <algorithm>
#include <string>
#include <vector>

namespace samsa::gui {

inline QStringList ToQStringList(const std::vector<std::string>& items) {
  QStringList out;
  for (const std::string& s : items) out << QString::fromStdString(s);
  return out;
}

inline bool SetChoices(QComboBox* box, const QStringList& items) {
  QStringList current;
  for (int i = 0; i < box->count(); ++i) current << box->itemText(i);
  if (items == current) return false;
  const QString keep = box->currentText();
  QSignalBlocker block(box);
  box->clear();
  box->addItems(items);
  box->setCurrentIndex(std::max(0, box->findText(keep)));
  return true;
}

}  // namespace samsa::gui

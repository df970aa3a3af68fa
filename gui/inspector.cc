#include "gui/inspector.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QFontMetrics>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "gui/combo_choices.h"

namespace samsa::gui {

namespace {
QString At(int64_t ns) { return ns < 0 ? QObject::tr("not yet") : QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 1); }
QString At3(int64_t ns) { return ns < 0 ? QObject::tr("not yet") : QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 3); }

// "orders-12" -> ("orders", 12).
bool SplitPartition(const std::string& name, sim::PartitionRef* out) {
  const auto dash = name.rfind('-');
  if (dash == std::string::npos || dash + 1 >= name.size()) return false;
  out->topic = name.substr(0, dash);
  out->partition = std::atoi(name.c_str() + dash + 1);
  return true;
}

QString Printable(const std::string& bytes) {
  QString s = QString::fromUtf8(bytes.data(), qsizetype(std::min<size_t>(bytes.size(), 80)));
  for (QChar& c : s)
    if (!c.isPrint()) c = QChar('.');
  return bytes.size() > 80 ? s + QStringLiteral("...") : s;
}
}  // namespace

SessionQueries QueriesOf(sim::Session& session) {
  SessionQueries q;
  q.read_log = [&session](int32_t node, const sim::PartitionRef& p, int64_t from, size_t max) {
    return session.ReadLog(node, p, from, max);
  };
  q.describe_broker = [&session](int32_t node) { return session.DescribeBroker(node); };
  q.record_history = [&session](const sim::PartitionRef& p, const std::string& value) {
    return session.RecordHistory(p, value);
  };
  return q;
}

RecordJourney FollowRecord(const std::vector<Sample>& samples, size_t partition_index, int32_t partition, int64_t offset) {
  RecordJourney j;
  auto note = [](std::vector<std::pair<int32_t, int64_t>>& list, int32_t id, int64_t at) {
    for (auto& [who, when] : list)
      if (who == id) return;
    list.emplace_back(id, at);
  };
  for (const Sample& s : samples) {
    if (partition_index >= s.partitions.size()) continue;
    const PartitionSample& p = s.partitions[partition_index];
    for (const auto& [broker, end] : p.log_ends)
      if (end > offset) note(j.replica_got, broker, s.at_ns);
    if (j.committed_ns < 0 && p.high_watermark > offset) j.committed_ns = s.at_ns;
    if (j.durable_ns < 0 && p.durable > offset) j.durable_ns = s.at_ns;
    for (const ConsumerSample& c : s.consumers)
      for (const auto& [part, position] : c.positions)
        if (part == partition && position > offset) note(j.consumer_read, c.id, s.at_ns);
  }
  std::sort(j.replica_got.begin(), j.replica_got.end());
  std::sort(j.consumer_read.begin(), j.consumer_read.end());
  return j;
}

Inspector::Inspector(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  broker_label_ = new QLabel(tr("Click a broker in the cluster picture to inspect it."), this);
  broker_label_->setWordWrap(true);
  broker_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(broker_label_);
  auto* split = new QSplitter(Qt::Horizontal, this);
  auto table = [&](const QStringList& headers) {
    auto* t = new QTableWidget(0, int(headers.size()), split);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 4);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->horizontalHeader()->setStretchLastSection(true);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return t;
  };
  config_ = table({tr("Setting"), tr("Source"), tr("Value")});
  config_->setToolTip(tr("The broker's effective configuration: scenario = the scenario's cluster.config, "
                         "simulator = set per node by samsa-sim, default = Kafka's default"));
  segments_ = table({tr("Partition"), tr("Segment base offset"), tr("Bytes")});
  auto* right = new QWidget(split);
  auto* records_layout = new QVBoxLayout(right);
  records_layout->setContentsMargins(0, 0, 0, 0);
  split->addWidget(config_);
  split->addWidget(segments_);
  split->addWidget(right);
  split->setSizes({480, 300, 700});
  layout->addWidget(split, 1);
  auto* bar = new QHBoxLayout();
  bar->addWidget(new QLabel(tr("Records of"), this));
  partition_ = new QComboBox(this);
  partition_->setObjectName(QStringLiteral("inspector-partition"));
  connect(partition_, &QComboBox::currentIndexChanged, this, [this] { RefreshReplicas(); });
  bar->addWidget(partition_);
  bar->addWidget(new QLabel(tr("on broker"), this));
  replica_ = new QComboBox(this);
  replica_->setObjectName(QStringLiteral("inspector-replica"));
  bar->addWidget(replica_);
  bar->addWidget(new QLabel(tr("from offset"), this));
  from_ = new QSpinBox(this);
  from_->setObjectName(QStringLiteral("inspector-from"));
  from_->setRange(0, 2'000'000'000);
  bar->addWidget(from_);
  auto* read = new QPushButton(tr("Read"), this);
  connect(read, &QPushButton::clicked, this, [this] {
    ReadRecords(partition_->currentText().toStdString(), replica_->currentData().toInt(), from_->value());
  });
  bar->addWidget(read);
  bar->addStretch(1);
  records_layout->addLayout(bar);
  records_ = new QTableWidget(0, 5, right);
  records_->setHorizontalHeaderLabels({tr("Offset"), tr("Key"), tr("Value"), tr("Timestamp (ms)"), tr("Batch leader epoch")});
  records_->verticalHeader()->hide();
  records_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  records_->setSelectionBehavior(QAbstractItemView::SelectRows);
  records_->horizontalHeader()->setStretchLastSection(true);
  records_->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 4);
  connect(records_, &QTableWidget::cellClicked, this, [this](int row, int) { Follow(row); });
  records_layout->addWidget(records_, 1);
  follow_ = new QLabel(tr("Click a record to follow it."), this);
  follow_->setWordWrap(true);
  follow_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(follow_);
}

void Inspector::SetView(std::shared_ptr<const view::ClusterView> view, const std::vector<Sample>* samples,
                        const std::vector<std::string>* partition_names) {
  view_ = std::move(view);
  samples_ = samples;
  partition_names_ = partition_names;
  if (isVisible()) Refresh();  // else when shown: the inspector costs nothing while hidden
}

void Inspector::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  Refresh();
}

void Inspector::Refresh() {
  if (!view_) return;
  if (SetChoices(partition_, ToQStringList(PartitionNames(*view_)))) RefreshReplicas();
  RefreshBroker();
}

void Inspector::RefreshReplicas() {
  if (!view_) return;
  sim::PartitionRef ref;
  const int keep = replica_->currentData().toInt();
  replica_->clear();
  if (!SplitPartition(partition_->currentText().toStdString(), &ref)) return;
  if (const view::PartitionView* p = view_->FindPartition(ref.topic, ref.partition)) {
    for (int32_t r : p->replicas)
      replica_->addItem(r == p->leader ? tr("%1 (leader)").arg(r) : QString::number(r), r);
    const int i = replica_->findData(keep);
    replica_->setCurrentIndex(i >= 0 ? i : std::max(0, replica_->findData(p->leader)));
  }
}

void Inspector::ShowBroker(int32_t id) {
  broker_ = id;
  RefreshBroker();
  RefreshDetails();
}

void Inspector::RefreshDetails() {
  config_->setRowCount(0);
  segments_->setRowCount(0);
  if (!queries_.describe_broker || broker_ < 0) return;
  Result<view::BrokerDetailsView> d = queries_.describe_broker(broker_);
  if (!d.ok()) {
    config_->setRowCount(1);
    config_->setItem(0, 0, new QTableWidgetItem(QString::fromStdString(d.status().message())));
    return;
  }
  auto fill = [](QTableWidget* t, int row, const QStringList& cells) {
    for (int c = 0; c < cells.size(); ++c) t->setItem(row, c, new QTableWidgetItem(cells[c]));
  };
  config_->setRowCount(int(d->config.size()));
  for (size_t i = 0; i < d->config.size(); ++i) {
    const view::ConfigEntryView& e = d->config[i];
    fill(config_, int(i), {QString::fromStdString(e.name), QString::fromStdString(e.source), QString::fromStdString(e.value)});
    config_->item(int(i), 2)->setToolTip(QString::fromStdString(e.value));
    if (e.source == "scenario") {
      QFont bold = config_->font();
      bold.setBold(true);
      for (int c = 0; c < 3; ++c) config_->item(int(i), c)->setFont(bold);
    }
  }
  segments_->setRowCount(int(d->segments.size()));
  for (size_t i = 0; i < d->segments.size(); ++i) {
    const view::SegmentView& g = d->segments[i];
    fill(segments_, int(i), {QStringLiteral("%1-%2").arg(QString::fromStdString(g.topic)).arg(g.partition),
                             QString::number(g.base_offset), QString::number(g.size_bytes)});
  }
}

void Inspector::RefreshBroker() {
  if (!view_) return;
  const view::BrokerView* b = broker_ >= 0 ? view_->FindBroker(broker_) : nullptr;
  if (b == nullptr) {
    broker_label_->setText(tr("Click a broker in the cluster picture to inspect it."));
    return;
  }
  QStringList leads, follows;
  for (const view::TopicView& t : view_->topics)
    for (const view::PartitionView& p : t.partitions) {
      const QString name = QStringLiteral("%1-%2").arg(QString::fromStdString(t.name)).arg(p.partition);
      if (p.leader == b->id) leads << name;
      else if (std::find(p.replicas.begin(), p.replicas.end(), b->id) != p.replicas.end())
        follows << name + (std::binary_search(p.isr.begin(), p.isr.end(), b->id) ? QString() : tr(" (out of sync)"));
    }
  const char* process = b->process == view::ProcessState::kDown ? "down" : b->process == view::ProcessState::kPaused ? "paused" : "up";
  QString text = (b->is_broker ? tr("<b>Broker %1</b>: %2, %3%4. Raft: epoch %5, role %6, quorum leader %7; metadata offset %8. Broker epoch %9.")
                               : tr("<b>Controller %1</b>: %2, %3%4. Raft: epoch %5, role %6, quorum leader %7; metadata offset %8.%9"))
                     .arg(b->id)
                     .arg(process, QString::fromStdString(b->lifecycle))
                     .arg(b->is_broker ? (b->fenced ? tr(", fenced") : tr(", unfenced")) : QString())
                     .arg(b->raft_epoch)
                     .arg(QString::fromStdString(b->raft_role.empty() ? std::string("-") : b->raft_role))
                     .arg(b->raft_leader >= 0 ? QString::number(b->raft_leader) : tr("none known"))
                     .arg(b->metadata_offset)
                     .arg(b->is_broker ? QString::number(b->broker_epoch) : QString());
  if (b->is_broker) {  // a controller-only node holds no partitions
    text += tr("<br>Leader of %1: %2").arg(leads.size()).arg(leads.isEmpty() ? tr("none") : leads.join(", "));
    text += tr("<br>Follower of %1: %2").arg(follows.size()).arg(follows.isEmpty() ? tr("none") : follows.join(", "));
  }
  broker_label_->setText(text);
  // The records section follows the broker picked.
  const int i = replica_->findData(b->id);
  if (i >= 0) replica_->setCurrentIndex(i);
}

QString Inspector::broker_text() const { return broker_label_->text(); }

bool Inspector::ReadRecords(const std::string& partition, int32_t broker, int64_t from) {
  sim::PartitionRef ref;
  records_->setRowCount(0);
  if (!queries_.read_log || !SplitPartition(partition, &ref)) return false;
  Result<std::vector<view::LogRecordView>> records = queries_.read_log(broker, ref, from, 200);
  if (!records.ok()) {
    follow_->setText(tr("Cannot read %1 on broker %2: %3")
                         .arg(QString::fromStdString(partition))
                         .arg(broker)
                         .arg(QString::fromStdString(records.status().message())));
    return false;
  }
  read_partition_ = partition;
  // The choices above the table name what it shows, whoever asked for it (filled now if the
  // inspector was never shown).
  if (partition_->findText(QString::fromStdString(partition)) < 0 && view_ &&
      SetChoices(partition_, ToQStringList(PartitionNames(*view_))))
    RefreshReplicas();
  if (const int i = partition_->findText(QString::fromStdString(partition)); i >= 0 && i != partition_->currentIndex())
    partition_->setCurrentIndex(i);  // refreshes the broker choices
  if (const int i = replica_->findData(broker); i >= 0) replica_->setCurrentIndex(i);
  if (from_->value() != from) from_->setValue(int(std::min<int64_t>(from, from_->maximum())));
  records_->setRowCount(int(records->size()));
  for (size_t i = 0; i < records->size(); ++i) {
    const view::LogRecordView& r = (*records)[i];
    const QStringList cells = {QString::number(r.offset), r.has_key ? Printable(r.key) : tr("(null)"),
                               r.has_value ? Printable(r.value) : tr("(null)"), QString::number(r.timestamp_ms),
                               QString::number(r.batch_leader_epoch)};
    for (int c = 0; c < cells.size(); ++c) records_->setItem(int(i), c, new QTableWidgetItem(cells[c]));
    records_->item(int(i), 2)->setData(Qt::UserRole, QString::fromStdString(r.value));  // unabridged
  }
  follow_->setText(tr("%1 records of %2 on broker %3 from offset %4. Click one to follow it.")
                       .arg(records->size())
                       .arg(QString::fromStdString(partition))
                       .arg(broker)
                       .arg(from));
  return true;
}

QString Inspector::Follow(int row) {
  if (row < 0 || row >= records_->rowCount() || samples_ == nullptr || partition_names_ == nullptr) return {};
  const int64_t offset = records_->item(row, 0)->text().toLongLong();
  sim::PartitionRef ref;
  SplitPartition(read_partition_, &ref);
  const auto it = std::find(partition_names_->begin(), partition_names_->end(), read_partition_);
  if (it == partition_names_->end()) return {};
  const RecordJourney j = FollowRecord(*samples_, size_t(it - partition_names_->begin()), ref.partition, offset);
  QStringList got;
  for (const auto& [broker, at] : j.replica_got) got << tr("broker %1 at %2").arg(broker).arg(At(at));
  // The clients' history: exact instants of the send, its acknowledgement and each first read.
  const std::string value = records_->item(row, 2)->data(Qt::UserRole).toString().toStdString();
  QString clients;
  if (queries_.record_history) {
    Result<view::RecordHistoryView> h = queries_.record_history(ref, value);
    if (h.ok()) {
      QStringList read;
      for (const auto& [consumer, at] : h->read_by) read << tr("consumer %1 at %2").arg(consumer).arg(At3(at));
      clients = tr("Sent by producer %1 at %2; ").arg(h->producer).arg(At3(h->sent_ns));
      clients += h->acked_ns >= 0 ? tr("acknowledged at %1 (offset %2). ").arg(At3(h->acked_ns)).arg(h->acked_offset)
                 : h->ack_error.empty() ? tr("not acknowledged yet. ")
                                        : tr("failed: %1. ").arg(QString::fromStdString(h->ack_error));
      clients += tr("Read by: %1.").arg(read.isEmpty() ? tr("no consumer yet") : read.join(", "));
    } else {
      clients = QString::fromStdString(h.status().message());
    }
  }
  const QString text =
      tr("<b>%1 offset %2</b>. %3<br>On the brokers (to the nearest 0.1 s sample): replicas got it: %4; the high "
         "watermark passed it at %5; flushed on the leader at %6.")
          .arg(QString::fromStdString(read_partition_))
          .arg(offset)
          .arg(clients, got.isEmpty() ? tr("none yet") : got.join(", "), At(j.committed_ns), At(j.durable_ns));
  follow_->setText(text);
  return text;
}

}  // namespace samsa::gui

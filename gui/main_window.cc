#include "gui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QListWidget>
#include <QSaveFile>
#include <QScopedValueRollback>
#include <QSettings>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QDialog>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QThread>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>
#include <tuple>

#include "gui/cluster_widget.h"
#include "gui/inspector.h"
#include "gui/lag_chart.h"
#include "gui/palette.h"
#include "gui/partition_bars_delegate.h"
#include "gui/partitions_model.h"
#include "gui/timeline_model.h"
#include "sim/explain.h"
#include "sim/scenario.h"

namespace samsa::gui {

namespace {
QString Seconds(int64_t ns) { return QString::number(double(ns) / 1e9, 'f', 3) + " s"; }
const QString kContinueHint = QStringLiteral("   [paused for the class: press Space to continue]");

// Events worth an explain line (not captions, workload changes or registrations).
bool IsSignificant(const view::ClusterEvent& e) {
  using K = view::EventKind;
  switch (e.kind) {
    case K::kLeaderElected: return e.previous_leader >= 0 || e.cause != view::EventCause::kCreated;
    case K::kIsrShrink: case K::kIsrExpand: case K::kBrokerFenced: case K::kControllerChange:
    case K::kViolation: case K::kFault: case K::kRevert: return true;
    case K::kExpectation: return !e.passed;
    default: return false;
  }
}

}  // namespace

MainWindow::MainWindow(bool live, QWidget* parent) : QMainWindow(parent), live_(live) {
  qRegisterMetaType<std::shared_ptr<const samsa::gui::Snapshot>>();
  qRegisterMetaType<std::shared_ptr<const samsa::sim::Scenario>>();
  qRegisterMetaType<std::shared_ptr<const samsa::sim::FaultStep>>();
  BuildUi();
  BuildMenus();
  if (live_) {
    thread_ = new QThread(this);
    worker_ = new SessionWorker();
    SessionQueries q;
    // Each a blocking call into the worker thread (it answers between two ticks).
    q.read_log = [this](int32_t node, const sim::PartitionRef& partition, int64_t from, size_t max) {
      Result<std::vector<view::LogRecordView>> out = Status::FailedPrecondition("no session");
      QMetaObject::invokeMethod(worker_, [&] { out = worker_->ReadLog(node, partition, from, max); },
                                Qt::BlockingQueuedConnection);
      return out;
    };
    q.describe_broker = [this](int32_t node) {
      Result<view::BrokerDetailsView> out = Status::FailedPrecondition("no session");
      QMetaObject::invokeMethod(worker_, [&] { out = worker_->DescribeBroker(node); }, Qt::BlockingQueuedConnection);
      return out;
    };
    q.record_history = [this](const sim::PartitionRef& partition, const std::string& value) {
      Result<view::RecordHistoryView> out = Status::FailedPrecondition("no session");
      QMetaObject::invokeMethod(worker_, [&] { out = worker_->RecordHistory(partition, value); },
                                Qt::BlockingQueuedConnection);
      return out;
    };
    inspector_->SetQueries(std::move(q));
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &SessionWorker::Published, this, &MainWindow::OnPublished, Qt::QueuedConnection);
    connect(worker_, &SessionWorker::Failed, this,
            [this](const QString& message) { ShowError(tr("The session refused"), message); });
    thread_->start();
  }
}

MainWindow::~MainWindow() {
  if (thread_ != nullptr) {
    thread_->quit();
    thread_->wait();
  }
}

void MainWindow::BuildUi() {
  setWindowTitle(QStringLiteral("samsa"));
  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(6, 6, 6, 6);
  caption_ = new QLabel(central);
  caption_->setWordWrap(true);
  QFont big = caption_->font();
  big.setPointSizeF(big.pointSizeF() * 1.5);
  caption_->setFont(big);
  caption_->setStyleSheet(QStringLiteral("QLabel { background: #FFF7D6; padding: 8px; border: 1px solid #E69F00; }"));
  caption_->setText(tr("Open a scenario to start."));
  layout->addWidget(caption_);
  explain_ = new QLabel(central);
  explain_->setWordWrap(true);
  explain_->setToolTip(tr("What the last significant event means, and why it happened"));
  explain_->setStyleSheet(QStringLiteral("QLabel { padding: 2px 8px; }"));
  layout->addWidget(explain_);

  auto* vertical = new QSplitter(Qt::Vertical, central);
  auto* horizontal = new QSplitter(Qt::Horizontal, vertical);
  cluster_ = new ClusterWidget(horizontal);
  connect(cluster_, &ClusterWidget::NodeContextMenu, this, &MainWindow::ShowNodeMenu);

  partitions_panel_ = new QWidget(horizontal);
  auto* pl = new QVBoxLayout(partitions_panel_);
  pl->setContentsMargins(0, 0, 0, 0);
  filter_ = new QLineEdit(partitions_panel_);
  filter_->setObjectName(QStringLiteral("partition-filter"));
  filter_->setPlaceholderText(tr("Filter partitions (topic, or a status such as under-replicated)"));
  // Focus only when clicked: the one-key shortcuts (Space, K, ...) must not type into it.
  filter_->setFocusPolicy(Qt::ClickFocus);
  pl->addWidget(filter_);
  partitions_ = new PartitionsModel(this);
  partitions_proxy_ = new QSortFilterProxyModel(this);
  partitions_proxy_->setSourceModel(partitions_);
  partitions_proxy_->setSortRole(PartitionsModel::kSortRole);
  partitions_proxy_->setFilterKeyColumn(-1);
  partitions_proxy_->setFilterRole(PartitionsModel::kFilterRole);
  partitions_proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  connect(filter_, &QLineEdit::textChanged, this,
          [this](const QString& text) { partitions_proxy_->setFilterFixedString(text.trimmed()); });
  partitions_view_ = new QTableView(partitions_panel_);
  partitions_view_->setObjectName(QStringLiteral("partitions"));
  partitions_view_->setModel(partitions_proxy_);
  partitions_view_->setSortingEnabled(true);
  partitions_view_->sortByColumn(PartitionsModel::kPartition, Qt::AscendingOrder);
  partitions_view_->setItemDelegateForColumn(PartitionsModel::kLog, new PartitionBarsDelegate(partitions_view_));
  partitions_view_->verticalHeader()->hide();
  SizePartitionRows();
  for (int c = 0; c < PartitionsModel::kLog; ++c)
    partitions_view_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  partitions_view_->horizontalHeader()->setSectionResizeMode(PartitionsModel::kLog, QHeaderView::Stretch);
  partitions_view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  partitions_view_->setWordWrap(false);
  partitions_view_->viewport()->installEventFilter(this);  // its resize: the room for the table
  // Rows scrolled into view may be wider (presentation mode's fit).
  connect(partitions_view_->verticalScrollBar(), &QScrollBar::valueChanged, this, [this] { FitPartitionsType(false); });
  connect(partitions_proxy_, &QAbstractItemModel::modelReset, this, [this] { FitPartitionsType(true); });
  pl->addWidget(partitions_view_, 3);
  clients_ = new QTableWidget(0, 7, partitions_panel_);
  clients_->setHorizontalHeaderLabels({tr("Client"), tr("Topic"), tr("Rate/s"), tr("In flight"),
                                       tr("Acked / read"), tr("per s"), tr("Lag and errors")});
  clients_->horizontalHeaderItem(2)->setToolTip(tr("A producer's configured send rate (records per simulated second)"));
  clients_->horizontalHeaderItem(5)->setToolTip(
      tr("Records acknowledged (producer) or read (consumer) per simulated second, over the last second"));
  clients_->verticalHeader()->hide();
  for (int c = 0; c < 6; ++c) clients_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  clients_->horizontalHeader()->setStretchLastSection(true);
  clients_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  pl->addWidget(clients_, 1);
  horizontal->addWidget(cluster_);
  horizontal->addWidget(partitions_panel_);
  horizontal->setStretchFactor(0, 2);
  horizontal->setStretchFactor(1, 3);
  horizontal->setSizes({560, 840});

  tabs_ = new QTabWidget(vertical);
  timeline_panel_ = new QWidget(tabs_);
  auto* tl = new QVBoxLayout(timeline_panel_);
  tl->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout();
  bar->addWidget(new QLabel(tr("Timeline"), timeline_panel_));
  bar->addStretch(1);
  auto* jump = new QPushButton(tr("Jump to the first violation"), timeline_panel_);
  auto* copy = new QPushButton(tr("Copy event"), timeline_panel_);
  bar->addWidget(jump);
  bar->addWidget(copy);
  tl->addLayout(bar);
  timeline_ = new TimelineModel(this);
  timeline_view_ = new QListView(timeline_panel_);
  timeline_view_->setModel(timeline_);
  timeline_view_->setUniformItemSizes(true);
  tl->addWidget(timeline_view_);
  connect(jump, &QPushButton::clicked, this, [this] {
    const int row = timeline_->FirstViolationRow();
    if (row >= 0) {
      timeline_view_->setCurrentIndex(timeline_->index(row));
      timeline_view_->scrollTo(timeline_->index(row));
    } else {
      statusBar()->showMessage(tr("No violation so far"), 3000);
    }
  });
  connect(copy, &QPushButton::clicked, this, [this] {
    const QModelIndex i = timeline_view_->currentIndex();
    if (i.isValid()) QApplication::clipboard()->setText(i.data().toString());
  });
  chart_ = new LagChart(tabs_);
  connect(chart_, &LagChart::PartitionChanged, this, &MainWindow::RedrawChart);
  tabs_->addTab(timeline_panel_, tr("Timeline"));
  tabs_->addTab(chart_, tr("Lag chart"));
  inspector_ = new Inspector(tabs_);
  tabs_->addTab(inspector_, tr("Inspector"));
  connect(cluster_, &ClusterWidget::BrokerClicked, this, [this](int32_t id) {
    if (id >= 0) InspectBroker(id);
  });
  connect(tabs_, &QTabWidget::currentChanged, this, [this] { RedrawChart(); });
  vertical->addWidget(horizontal);
  vertical->addWidget(tabs_);
  vertical->setStretchFactor(0, 4);
  vertical->setStretchFactor(1, 1);
  vertical->setSizes({680, 240});
  layout->addWidget(vertical, 1);
  setCentralWidget(central);
  statusBar()->showMessage(tr("No scenario"));
}

void MainWindow::BuildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open scenario..."));
  open->setShortcut(QKeySequence::Open);
  connect(open, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a scenario"), QString(), tr("Scenarios (*.yaml *.yml)"));
    if (!path.isEmpty()) OpenFile(path);
  });
  recent_menu_ = file->addMenu(tr("Open &recent"));
  RebuildRecentMenu();
  QAction* restart = file->addAction(tr("&Restart"));
  restart->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  connect(restart, &QAction::triggered, this, [this] {
    recorded_.clear();  // the actions taken are dropped: another future
    samples_.clear();
    if (worker_) QMetaObject::invokeMethod(worker_, &SessionWorker::Restart, Qt::QueuedConnection);
  });
  QAction* report = file->addAction(tr("Open re&port..."));
  report->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  connect(report, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a sweep or run report"), QString(),
                                                      tr("Reports (*.json)"));
    if (!path.isEmpty()) OpenReport(path);
  });
  QAction* gallery = file->addAction(tr("Scenario &gallery..."));
  gallery->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
  connect(gallery, &QAction::triggered, this, [this] { ShowGallery(); });
  file->addSeparator();
  QAction* save = file->addAction(tr("&Save session..."));
  save->setShortcut(QKeySequence::Save);
  save->setToolTip(tr("The scenario with this seed and every action taken; samsa-sim run replays it"));
  connect(save, &QAction::triggered, this, [this] {
    if (path_.isEmpty()) return;
    QFileInfo info(path_);
    const QString path = QFileDialog::getSaveFileName(this, tr("Save session"),
                                                      info.dir().filePath(info.completeBaseName() + "-session.yaml"),
                                                      tr("Scenarios (*.yaml *.yml)"));
    if (!path.isEmpty() && SaveSession(path)) statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
  });
  QAction* png = file->addAction(tr("Save the &view as PNG..."));
  png->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
  connect(png, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the view as PNG"), QStringLiteral("samsa.png"),
                                                      tr("PNG images (*.png)"));
    if (!path.isEmpty() && !grab().save(path, "PNG")) ShowError(tr("Cannot save the view"), path);
  });
  QAction* csv = file->addAction(tr("&Export the chart as CSV..."));
  connect(csv, &QAction::triggered, this, [this] {
    RedrawChart();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the chart"), QStringLiteral("samsa-chart.csv"),
                                                      tr("CSV (*.csv)"));
    if (!path.isEmpty() && !chart_->SaveCsv(path)) ShowError(tr("Cannot export the chart"), path);
  });
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"));
  quit->setShortcut(QKeySequence::Quit);
  connect(quit, &QAction::triggered, this, &QWidget::close);

  QMenu* view_menu = menuBar()->addMenu(tr("&View"));
  QAction* present = view_menu->addAction(tr("&Presentation mode"));
  present->setCheckable(true);
  present->setShortcut(Qt::Key_F5);
  connect(present, &QAction::toggled, this, [this](bool on) { SetPresentation(on); });
  QAction* lesson = view_menu->addAction(tr("&Lesson mode: stop at pausing captions"));
  lesson->setCheckable(true);
  lesson->setChecked(true);
  lesson->setShortcut(Qt::Key_L);
  connect(lesson, &QAction::toggled, this, [this](bool on) {
    if (worker_) QMetaObject::invokeMethod(worker_, [w = worker_, on] { w->SetLessonMode(on); }, Qt::QueuedConnection);
  });
  QAction* flow = view_menu->addAction(tr("&Flow: requests in flight on the links"));
  flow->setCheckable(true);
  flow->setShortcut(Qt::Key_F);
  connect(flow, &QAction::toggled, this, [this](bool on) {
    if (!on) cluster_->SetFrames({});
    if (worker_) QMetaObject::invokeMethod(worker_, [w = worker_, on] { w->SetFlow(on); }, Qt::QueuedConnection);
  });
  QAction* chart = view_menu->addAction(tr("Lag &chart"));
  chart->setShortcut(Qt::Key_G);
  connect(chart, &QAction::triggered, this, [this] { tabs_->setCurrentWidget(chart_); });
  QAction* inspect = view_menu->addAction(tr("&Inspector"));
  inspect->setShortcut(Qt::Key_N);
  connect(inspect, &QAction::triggered, this, [this] { tabs_->setCurrentWidget(inspector_); });
  QAction* timeline = view_menu->addAction(tr("&Timeline"));
  timeline->setShortcut(Qt::Key_T);
  connect(timeline, &QAction::triggered, this, [this] { tabs_->setCurrentWidget(timeline_panel_); });

  QToolBar* tools = addToolBar(tr("Run"));
  run_bar_ = tools;
  play_ = tools->addAction(tr("Play"));
  play_->setShortcut(Qt::Key_Space);
  connect(play_, &QAction::triggered, this, [this] {
    if (!worker_) return;
    const bool playing = last_ && last_->playing;
    QMetaObject::invokeMethod(worker_, playing ? &SessionWorker::Pause : &SessionWorker::Play, Qt::QueuedConnection);
  });
  QAction* step = tools->addAction(tr("Step event"));
  step->setShortcut(Qt::Key_Period);
  connect(step, &QAction::triggered, this, [this] {
    if (worker_) QMetaObject::invokeMethod(worker_, &SessionWorker::StepEvent, Qt::QueuedConnection);
  });
  for (auto [label, ns, key] : {std::tuple{"+10 ms", qint64(10'000'000), Qt::Key_1},
                                std::tuple{"+100 ms", qint64(100'000'000), Qt::Key_2},
                                std::tuple{"+1 s", qint64(1'000'000'000), Qt::Key_3}}) {
    QAction* a = tools->addAction(tr(label));
    a->setShortcut(key);
    connect(a, &QAction::triggered, this, [this, ns = ns] {
      if (worker_) QMetaObject::invokeMethod(worker_, [w = worker_, ns] { w->StepTime(ns); }, Qt::QueuedConnection);
    });
  }
  tools->addSeparator();
  tools->addWidget(new QLabel(tr(" Speed "), this));
  speed_ = new QComboBox(this);
  speed_->setObjectName(QStringLiteral("speed"));
  for (auto [label, v] : {std::pair{"0.001x", 0.001}, std::pair{"0.01x", 0.01}, std::pair{"0.1x", 0.1},
                          std::pair{"0.5x", 0.5}, std::pair{"1x", 1.0}, std::pair{"2x", 2.0},
                          std::pair{"5x", 5.0}, std::pair{"10x", 10.0}, std::pair{"as fast as possible", 0.0}})
    speed_->addItem(label, v);
  speed_->setCurrentIndex(speed_->findText(QStringLiteral("1x")));
  speed_->setToolTip(tr("Simulated time per wall-clock second. With the flow shown (F), 0.001x lets a class follow "
                        "one produce: a 1 ms network hop takes a second"));
  connect(speed_, &QComboBox::currentIndexChanged, this, [this](int i) {
    const double v = speed_->itemData(i).toDouble();
    if (worker_) QMetaObject::invokeMethod(worker_, [w = worker_, v] { w->SetSpeed(v); }, Qt::QueuedConnection);
  });
  tools->addWidget(speed_);

  BuildTimeBar();
  BuildBrokersMenu();

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* keys = help->addAction(tr("&Keyboard shortcuts"));
  keys->setShortcut(Qt::Key_F1);
  connect(keys, &QAction::triggered, this, [this] {
    QMessageBox* box = new QMessageBox(QMessageBox::Information, tr("Keyboard shortcuts"), HelpText(), QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
  });
}

namespace {
struct BrokerActionItem {
  MainWindow::BrokerAction action;
  const char* label;
  Qt::Key key;
};
// The Brokers menu, in order; the help (F1) lists the same keys.
constexpr BrokerActionItem kBrokerActions[] = {
    {MainWindow::BrokerAction::kShutdown, "Controlled &shutdown (SIGTERM)", Qt::Key_S},
    {MainWindow::BrokerAction::kCrash, "&Kill (crash, kill -9)", Qt::Key_K},
    {MainWindow::BrokerAction::kRestart, "&Restart a stopped broker", Qt::Key_R},
    {MainWindow::BrokerAction::kPause, "&Pause (SIGSTOP)", Qt::Key_P},
    {MainWindow::BrokerAction::kResume, "Res&ume", Qt::Key_U},
    {MainWindow::BrokerAction::kIsolate, "&Isolate from everyone for 10 s", Qt::Key_I},
    {MainWindow::BrokerAction::kSlowDisk, "Slow &disk (x10) for 10 s", Qt::Key_D},
    {MainWindow::BrokerAction::kBitFlip, "Flip a &bit on disk", Qt::Key_B},
    {MainWindow::BrokerAction::kCut, "&Cut from the other brokers for 10 s", Qt::Key_C},
    {MainWindow::BrokerAction::kCutOneWay, "Cut &one way for 10 s (they still hear the others)", Qt::Key_O},
    {MainWindow::BrokerAction::kHeal, "&Heal every network fault", Qt::Key_H},
};
}  // namespace

void MainWindow::BuildBrokersMenu() {
  brokers_menu_ = menuBar()->addMenu(tr("&Brokers"));
  for (const BrokerActionItem& item : kBrokerActions) {
    QAction* a = brokers_menu_->addAction(tr(item.label));
    a->setShortcut(item.key);
    if (item.action == BrokerAction::kCut) brokers_menu_->insertSeparator(a);
    connect(a, &QAction::triggered, this, [this, action = item.action] { ActOnSelection(action); });
  }
}

std::vector<int32_t> MainWindow::SelectedBrokers() const {
  std::vector<int32_t> out;
  if (!last_) return out;
  for (int32_t id : cluster_->selection())
    if (last_->view.FindBroker(id) != nullptr) out.push_back(id);
  return out;
}

void MainWindow::ActOnSelection(BrokerAction action) {
  if (action == BrokerAction::kHeal) return HealNetwork();
  const std::vector<int32_t> brokers = SelectedBrokers();
  if (brokers.empty()) {
    statusBar()->showMessage(tr("Select a broker first: click it (Ctrl+click selects several)"), 5000);
    return;
  }
  constexpr int64_t k10s = 10'000'000'000;
  using T = sim::FaultType;
  switch (action) {
    case BrokerAction::kCut: return CutFromRest(brokers, k10s);
    case BrokerAction::kCutOneWay: return CutFromRest(brokers, k10s, /*one_way=*/true);
    default: break;
  }
  for (int32_t node : brokers) {
    switch (action) {
      case BrokerAction::kShutdown: InjectOnNode(T::kShutdown, node); break;
      case BrokerAction::kCrash: InjectOnNode(T::kCrash, node); break;
      case BrokerAction::kRestart: InjectOnNode(T::kRestart, node); break;
      case BrokerAction::kPause: InjectOnNode(T::kPause, node); break;
      case BrokerAction::kResume: InjectOnNode(T::kResume, node); break;
      case BrokerAction::kIsolate: InjectOnNode(T::kIsolate, node, k10s); break;
      case BrokerAction::kSlowDisk: InjectOnNode(T::kSlowDisk, node, k10s); break;
      case BrokerAction::kBitFlip: InjectOnNode(T::kBitFlip, node); break;
      default: break;
    }
  }
}

QString MainWindow::HelpText() {
  QString brokers;
  for (const BrokerActionItem& item : kBrokerActions)
    brokers += QKeySequence(item.key).toString() + "\t" + tr(item.label).remove('&') + "\n";
  return tr("Space\tplay / pause\n"
            ".\tstep one event\n"
            "1, 2, 3\trun 10 ms, 100 ms, 1 s\n"
            "Ctrl+O\topen a scenario\n"
            "Ctrl+R\trestart the scenario from the beginning\n"
            "[ and ]\tback / forward one second (the time slider)\n"
            "Ctrl+B\tbranch here: continue from this instant in a new branch\n"
            "Ctrl+S\tsave the session (replays with samsa-sim run)\n"
            "Ctrl+G\tthe scenario gallery\n"
            "Ctrl+P\tsave the view as PNG\n"
            "G, T, N\tthe lag chart, the timeline, the inspector (click a broker to inspect it)\n"
            "F5\tpresentation mode\n"
            "L\tlesson mode: stop at pausing captions\n"
            "F\tflow: requests in flight drawn on the links (use speed 0.001x to follow one)\n"
            "Ctrl+Q\tquit\n"
            "F1\tthis list\n\n"
            "Click a broker to select it; Ctrl+click selects several. On the selected brokers:\n") +
         brokers +
         tr("\nRight-click a broker for the same actions.\n"
            "Right-click a producer: change its rate; a consumer: remove it, or add another.\n"
            "Every action goes through the session: it is recorded with the instant it happened.");
}

void MainWindow::ShowError(const QString& title, const QString& text) {
  if (error_box_ == nullptr) {
    error_box_ = new QMessageBox(QMessageBox::Warning, title, QString(), QMessageBox::Ok, this);
    error_box_->setWindowModality(Qt::WindowModal);
  }
  error_box_->setWindowTitle(title);
  error_box_->setText(title);
  error_box_->setInformativeText(text);
  error_box_->open();  // not exec(): the application stays responsive
}

bool MainWindow::OpenFile(const QString& path, std::optional<uint64_t> seed) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    ShowError(tr("Cannot open the scenario"), tr("%1: %2").arg(path, file.errorString()));
    return false;
  }
  const QByteArray bytes = file.readAll();
  Result<sim::Scenario> scenario = sim::ParseScenario(std::string_view(bytes.constData(), size_t(bytes.size())),
                                                      path.toStdString());
  if (!scenario.ok()) {
    ShowError(tr("The scenario has errors"), QString::fromStdString(scenario.status().message()));
    return false;
  }
  path_ = path;
  seed_ = seed;
  source_text_ = QString::fromUtf8(bytes);
  samples_.clear();
  recorded_.clear();
  compare_branch_ = -1;
  UpdateRecent(path);
  const uint64_t s = seed.value_or(scenario->seed.value_or(1));
  auto shared = std::make_shared<const sim::Scenario>(std::move(*scenario));
  scenario_ = shared;
  if (worker_)
    QMetaObject::invokeMethod(worker_, [w = worker_, shared, s] { w->Open(shared, s); }, Qt::QueuedConnection);
  setWindowTitle(QStringLiteral("samsa — %1 (seed %2)").arg(QString::fromStdString(shared->name)).arg(s));
  return true;
}

void MainWindow::UpdateRecent(const QString& path) {
  QSettings settings(QStringLiteral("samsa"), QStringLiteral("samsa-gui"));
  QStringList recent = settings.value(QStringLiteral("recent")).toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > 8) recent.removeLast();
  settings.setValue(QStringLiteral("recent"), recent);
  RebuildRecentMenu();
}

void MainWindow::RebuildRecentMenu() {
  recent_menu_->clear();
  QSettings settings(QStringLiteral("samsa"), QStringLiteral("samsa-gui"));
  const QStringList recent = settings.value(QStringLiteral("recent")).toStringList();
  for (const QString& path : recent)
    connect(recent_menu_->addAction(path), &QAction::triggered, this, [this, path] { OpenFile(path); });
  recent_menu_->setEnabled(!recent.isEmpty());
}

void MainWindow::OnPublished(std::shared_ptr<const Snapshot> snapshot) {
  ApplySnapshot(std::move(snapshot));
  if (worker_) worker_->MarkConsumed();
}

void MainWindow::ApplySnapshot(std::shared_ptr<const Snapshot> snapshot) {
  QElapsedTimer timer;
  timer.start();
  const Snapshot& s = *snapshot;
  if (s.reset) {
    timeline_->Clear();
    events_.clear();
    explain_->clear();
  }
  events_.insert(events_.end(), s.new_events.begin(), s.new_events.end());
  {
    std::vector<Sample>& series = samples_[s.branch];
    series.resize(std::min(series.size(), s.samples_from));
    series.insert(series.end(), s.new_samples.begin(), s.new_samples.end());
    if (!s.partition_names.empty()) partition_names_ = s.partition_names;
  }
  for (const view::ClusterEvent& e : s.new_events)
    if (IsSignificant(e))
      explain_->setText(QString::fromStdString(scenario_ ? sim::ExplainEvent(e, *scenario_) : e.detail));
  // A finished run ends on its verdicts (they come together, last): the explain line sums them up.
  if (scenario_)
    if (const std::string verdict = sim::ExplainVerdict(s.new_events, *scenario_); !verdict.empty())
      explain_->setText(QString::fromStdString(verdict));
  const bool at_bottom = timeline_view_->verticalScrollBar()->value() == timeline_view_->verticalScrollBar()->maximum();
  timeline_->Append(s.new_events);
  if (at_bottom) timeline_view_->scrollToBottom();
  if (jump_to_violation_) {
    if (const int row = timeline_->FirstViolationRow(); row >= 0) {
      jump_to_violation_ = false;
      tabs_->setCurrentWidget(timeline_panel_);
      timeline_view_->setCurrentIndex(timeline_->index(row));
      timeline_view_->scrollTo(timeline_->index(row));
    }
  }
  for (const view::ClusterEvent& e : s.new_events)
    if (e.kind == view::EventKind::kCaption) caption_->setText(QString::fromStdString(e.text));
  if (s.reset) {
    // Before the first caption: what to do first.
    QString caption = tr("%1: press Space (Play) to start. F1 lists every key; right-click a broker to break it.")
                          .arg(QString::fromStdString(s.scenario_name));
    for (const view::ClusterEvent& e : s.new_events)
      if (e.kind == view::EventKind::kCaption) caption = QString::fromStdString(e.text);
    caption_->setText(caption);
  }
  if (s.stopped_at_caption && !caption_->text().endsWith(kContinueHint)) caption_->setText(caption_->text() + kContinueHint);
  cluster_->SetView(s.view);
  cluster_->SetFrames(s.frames);
  partitions_->SetView(s.view);
  FitPartitionsType(false);
  inspector_->SetView(std::shared_ptr<const view::ClusterView>(snapshot, &snapshot->view), &samples_[s.branch],
                      &partition_names_);
  // Clients. Their acknowledgement (or read) rate over the last simulated second.
  constexpr int64_t kRateWindowNs = 1'000'000'000;
  if (last_ && s.view.at_ns < last_->view.at_ns) ack_history_.clear();  // rewound or restarted
  auto per_second = [&](const view::ClientView& c) -> QString {
    auto& h = ack_history_[c.id];
    if (h.empty() || h.back().first < s.view.at_ns) h.emplace_back(s.view.at_ns, c.acknowledged);
    while (h.size() > 2 && h[1].first <= s.view.at_ns - kRateWindowNs) h.pop_front();
    const int64_t dt = h.back().first - h.front().first;
    if (dt <= 0) return QStringLiteral("-");
    return QString::number(std::llround(double(h.back().second - h.front().second) * 1e9 / double(dt)));
  };
  int rows = 0;
  for (const view::ClientView& c : s.view.clients)
    if (c.kind != "admin") ++rows;
  clients_->setRowCount(rows);
  int row = 0;
  for (const view::ClientView& c : s.view.clients) {
    if (c.kind == "admin") continue;
    QString lag;
    if (c.kind == "consumer") lag = c.TotalLag() >= 0 ? tr("lag %1").arg(c.TotalLag()) : tr("lag -");
    for (const auto& [name, n] : c.errors)
      lag += (lag.isEmpty() ? "" : ", ") + QStringLiteral("%1 x%2").arg(QString::fromStdString(name)).arg(n);
    const QStringList cells = {QStringLiteral("%1 %2%3").arg(QString::fromStdString(c.kind)).arg(c.id).arg(c.up ? (c.stopped ? " (stopped)" : "") : " (down)"),
                               QString::fromStdString(c.target),
                               c.kind == "producer" ? QString::number(c.rate_per_s) : QStringLiteral("-"),
                               QString::number(c.in_flight), QString::number(c.acknowledged), per_second(c), lag};
    for (int col = 0; col < cells.size(); ++col) {
      QTableWidgetItem* item = clients_->item(row, col);
      if (item == nullptr) clients_->setItem(row, col, item = new QTableWidgetItem());
      item->setText(cells[col]);
    }
    ++row;
  }
  statusBar()->showMessage(tr("%1  seed %2   t = %3 of %4   %5   %6 events")
                               .arg(QString::fromStdString(s.scenario_name))
                               .arg(s.seed)
                               .arg(Seconds(s.view.at_ns), Seconds(s.end_ns))
                               .arg(s.at_end ? tr("finished") : s.playing ? tr("playing") : tr("paused"))
                               .arg(s.view.event_index));
  if (play_) play_->setText(s.playing ? tr("Pause") : tr("Play"));
  UpdateTimeBar(s);
  preview_ns_ = -1;
  // A new branch starts with its parent's recorded views up to the branch point.
  if (!recorded_.count(s.branch))
    for (const BranchInfo& b : s.branches)
      if (b.id == s.branch && b.parent >= 0)
        for (const auto& [second, r] : recorded_[b.parent])
          if (r->view.at_ns <= b.from_ns) recorded_[s.branch].emplace(second, r);
  // One recorded view per simulated second (the first shown in it), for previews while seeking.
  recorded_[s.branch].emplace(s.view.at_ns / 1'000'000'000, snapshot);
  const bool redraw = s.reset || !last_ || last_->branch != s.branch;
  last_ = std::move(snapshot);
  chart_dirty_ = true;
  // The chart costs more than the other views: at most four redraws a second, and only when shown.
  QElapsedTimer wall;
  wall.start();
  if (tabs_->currentWidget() == chart_ && chart_->isVisible() &&
      (redraw || !s.playing || wall.msecsSinceReference() * 1'000'000 - chart_drawn_wall_ns_ > 250'000'000))
    RedrawChart();
  last_apply_ns_ = timer.nsecsElapsed();
  emit SnapshotApplied();
}

void MainWindow::Inject(const sim::FaultStep& step) {
  if (!worker_) return;
  // The future changes: views recorded after now no longer hold.
  if (last_) {
    auto& views = recorded_[last_->branch];
    views.erase(views.upper_bound(last_->view.at_ns / 1'000'000'000), views.end());
  }
  auto shared = std::make_shared<const sim::FaultStep>(step);
  QMetaObject::invokeMethod(worker_, [w = worker_, shared] { w->Inject(shared); }, Qt::QueuedConnection);
}

void MainWindow::InjectOnNode(sim::FaultType type, int32_t node, int64_t for_ns) {
  sim::FaultStep step;
  step.type = type;
  step.target.kind = sim::FaultTarget::Kind::kNode;
  step.target.node_id = node;
  step.for_ns = for_ns;
  if (type == sim::FaultType::kSlowDisk) step.amount = 10;
  Inject(step);
}

void MainWindow::SetRate(int32_t producer, int64_t rate_per_s) {
  sim::FaultStep step;
  step.type = sim::FaultType::kSetRate;
  step.target.kind = sim::FaultTarget::Kind::kNode;
  step.target.node_id = producer;
  step.amount = rate_per_s;
  Inject(step);
}

void MainWindow::CutFromRest(const std::vector<int32_t>& brokers, int64_t for_ns, bool one_way) {
  if (brokers.empty()) return;
  sim::FaultStep step;
  step.type = one_way ? sim::FaultType::kOneWay : sim::FaultType::kPartition;
  step.target.kind = brokers.size() == 1 ? sim::FaultTarget::Kind::kNode : sim::FaultTarget::Kind::kNodes;
  step.target.node_id = brokers.front();
  if (brokers.size() > 1) step.target.node_ids = brokers;
  step.for_ns = for_ns;
  Inject(step);
}

void MainWindow::HealNetwork() {
  sim::FaultStep step;
  step.type = sim::FaultType::kHeal;
  Inject(step);
}

int MainWindow::cluster_components() const { return cluster_->layout_engine().components(); }

void MainWindow::AddConsumer(const std::string& topic, const std::string& from) {
  sim::FaultStep step;
  step.type = sim::FaultType::kAddConsumer;
  step.consumer = sim::ConsumerSpec{};
  step.consumer->topic = topic;
  step.consumer->from = from;
  Inject(step);
}

void MainWindow::ShowNodeMenu(int32_t node, QPoint global_position) {
  QMenu menu(this);
  const view::ClientView* client = nullptr;
  if (last_)
    for (const view::ClientView& c : last_->view.clients)
      if (c.id == node) client = &c;
  if (client != nullptr) {
    if (client->kind == "producer") {
      const int64_t rate = client->rate_per_s;
      connect(menu.addAction(tr("Change the rate (now %1/s)...").arg(rate)), &QAction::triggered, this, [this, node, rate] {
        bool ok = false;
        const int value = QInputDialog::getInt(this, tr("Producer %1").arg(node), tr("Records per second:"), int(rate), 0,
                                               1'000'000, 100, &ok);
        if (ok) SetRate(node, value);
      });
      connect(menu.addAction(tr("Stop sending (rate 0)")), &QAction::triggered, this, [this, node] { SetRate(node, 0); });
    } else if (client->kind == "consumer") {
      connect(menu.addAction(tr("Remove this consumer")), &QAction::triggered, this, [this, node] {
        sim::FaultStep step;
        step.type = sim::FaultType::kRemoveConsumer;
        step.target.kind = sim::FaultTarget::Kind::kNode;
        step.target.node_id = node;
        Inject(step);
      });
      const std::string topic = client->target;
      connect(menu.addAction(tr("Add another consumer of %1 (from latest)").arg(QString::fromStdString(topic))),
              &QAction::triggered, this, [this, topic] { AddConsumer(topic, "latest"); });
    }
    menu.exec(global_position);
    return;
  }
  // A broker: the Brokers menu, on the selection (the right-click selected this broker unless it
  // was already part of the selection).
  QStringList names;
  for (int32_t id : SelectedBrokers()) names << QString::number(id);
  QAction* header = menu.addAction(names.size() == 1 ? tr("Broker %1").arg(names.front()) : tr("Brokers %1").arg(names.join(", ")));
  header->setEnabled(false);
  menu.addSeparator();
  menu.addActions(brokers_menu_->actions());
  menu.exec(global_position);
}

void MainWindow::BuildTimeBar() {
  addToolBarBreak();
  time_bar_ = addToolBar(tr("Time"));
  time_bar_->addWidget(new QLabel(tr(" Time "), this));
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setMinimumWidth(360);
  slider_->setToolTip(tr("Drag to see the cluster at any instant of the run (earlier instants are re-run from the "
                         "seed). [ and ] move it by one second."));
  slider_->setSingleStep(100);
  slider_->setPageStep(1000);
  connect(slider_, &QSlider::valueChanged, this, [this](int ms) { SeekTo(int64_t(ms) * 1'000'000); });
  time_bar_->addWidget(slider_);
  slider_label_ = new QLabel(this);
  slider_label_->setMinimumWidth(150);
  time_bar_->addWidget(slider_label_);
  for (auto [label, delta, key] : {std::tuple{"[", -1000, Qt::Key_BracketLeft}, std::tuple{"]", 1000, Qt::Key_BracketRight}}) {
    auto* a = new QAction(tr(label), this);
    a->setShortcut(key);
    addAction(a);
    connect(a, &QAction::triggered, this, [this, delta = delta] { slider_->setValue(slider_->value() + delta); });
  }
  QAction* branch = time_bar_->addAction(tr("Branch here"));
  branch->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
  branch->setToolTip(tr("Continue from this instant in a new branch (Ctrl+B); the current branch stays as it is"));
  connect(branch, &QAction::triggered, this, &MainWindow::BranchHere);
  time_bar_->addWidget(new QLabel(tr("  Branch "), this));
  branch_box_ = new QComboBox(this);
  branch_box_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(branch_box_, &QComboBox::activated, this, [this](int i) { SwitchBranch(branch_box_->itemData(i).toInt()); });
  time_bar_->addWidget(branch_box_);
  time_bar_->addWidget(new QLabel(tr("  Compare with "), this));
  compare_box_ = new QComboBox(this);
  compare_box_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  compare_box_->setToolTip(tr("Overlay another branch's lag and ISR-size curves on the lag chart"));
  connect(compare_box_, &QComboBox::activated, this, [this](int i) { SetCompareBranch(compare_box_->itemData(i).toInt()); });
  time_bar_->addWidget(compare_box_);
}

void MainWindow::UpdateTimeBar(const Snapshot& s) {
  {
    QSignalBlocker block(slider_);
    slider_->setRange(0, int(s.end_ns / 1'000'000));
    if (!slider_->isSliderDown()) slider_->setValue(int(s.view.at_ns / 1'000'000));
  }
  slider_label_->setText(tr("%1 of %2").arg(Seconds(s.view.at_ns), Seconds(s.end_ns)));
  auto describe = [](const BranchInfo& b) {
    return b.parent < 0 ? tr("%1: the scenario").arg(b.id + 1)
                        : tr("%1: from %2 at %3").arg(b.id + 1).arg(b.parent + 1).arg(Seconds(b.from_ns));
  };
  if (branch_box_->count() != int(s.branches.size()) || branch_box_->currentData().toInt() != s.branch) {
    QSignalBlocker b1(branch_box_), b2(compare_box_);
    branch_box_->clear();
    compare_box_->clear();
    compare_box_->addItem(tr("none"), -1);
    for (const BranchInfo& b : s.branches) {
      branch_box_->addItem(describe(b), b.id);
      if (b.id != s.branch) compare_box_->addItem(describe(b), b.id);
    }
    branch_box_->setCurrentIndex(branch_box_->findData(s.branch));
    if (compare_branch_ == s.branch) compare_branch_ = -1;
    compare_box_->setCurrentIndex(std::max(0, compare_box_->findData(compare_branch_)));
  }
}

void MainWindow::SeekTo(int64_t t_ns) {
  if (!worker_ || !last_) return;
  worker_->RequestSeek(t_ns);
  if (t_ns == last_->view.at_ns) return;
  // The preview: the recorded view nearest before t (the session's states are a function of the
  // seed and the injections, so a view recorded before a rewind is the view after it).
  auto& views = recorded_[last_->branch];
  auto it = views.upper_bound(t_ns / 1'000'000'000);
  while (it != views.begin() && std::prev(it)->second->view.at_ns > t_ns) --it;
  if (it == views.begin()) return;
  const Snapshot& r = *std::prev(it)->second;
  preview_ns_ = r.view.at_ns;
  cluster_->SetView(r.view);
  partitions_->SetView(r.view);
  FitPartitionsType(false);
  statusBar()->showMessage(tr("showing the view recorded at %1; re-running the seed to %2...")
                               .arg(Seconds(r.view.at_ns), Seconds(t_ns)));
}

void MainWindow::BranchHere() {
  if (worker_) QMetaObject::invokeMethod(worker_, &SessionWorker::Branch, Qt::QueuedConnection);
}

void MainWindow::SwitchBranch(int branch) {
  if (worker_) QMetaObject::invokeMethod(worker_, [w = worker_, branch] { w->SwitchTo(branch); }, Qt::QueuedConnection);
}

void MainWindow::SetCompareBranch(int branch) {
  compare_branch_ = branch;
  if (compare_box_) compare_box_->setCurrentIndex(std::max(0, compare_box_->findData(branch)));
  RedrawChart();
}

const std::vector<Sample>& MainWindow::samples(int branch) const {
  static const std::vector<Sample> kNone;
  auto it = samples_.find(branch);
  return it == samples_.end() ? kNone : it->second;
}

void MainWindow::RedrawChart() {
  LagChart::Data d;
  const int branch = last_ ? last_->branch : 0;
  d.samples = &samples(branch);
  d.partition_names = &partition_names_;
  d.events = &events_;
  d.branch = branch + 1;
  if (compare_branch_ >= 0 && compare_branch_ != branch) {
    d.compare = &samples(compare_branch_);
    d.compare_branch = compare_branch_ + 1;
  }
  chart_->Redraw(d);
  chart_dirty_ = false;
  QElapsedTimer wall;
  wall.start();
  chart_drawn_wall_ns_ = wall.msecsSinceReference() * 1'000'000;
}

bool MainWindow::SaveSession(const QString& path) {
  if (!worker_ || path_.isEmpty()) return false;
  Result<std::string> yaml = Status::FailedPrecondition("no session");
  const std::string original = source_text_.toStdString();
  QMetaObject::invokeMethod(worker_, [&] { yaml = worker_->SaveYaml(original); }, Qt::BlockingQueuedConnection);
  if (!yaml.ok()) {
    ShowError(tr("Cannot save the session"), QString::fromStdString(yaml.status().message()));
    return false;
  }
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(yaml->data(), qint64(yaml->size())) != qint64(yaml->size()) ||
      !f.commit()) {
    ShowError(tr("Cannot save the session"), tr("%1: %2").arg(path, f.errorString()));
    return false;
  }
  return true;
}

void MainWindow::SetPresentation(bool on) {
  presentation_ = on;
  QFont f = QApplication::font();
  if (on) f.setPixelSize(kPresentationPx);
  setFont(f);
  QFont big = f;
  if (on) big.setPixelSize(34);
  else big.setPointSizeF(f.pointSizeF() * 1.5);
  caption_->setFont(big);
  tabs_->setVisible(!on);
  clients_->setVisible(!on);
  filter_->setVisible(!on);
  time_bar_->setVisible(!on);
  statusBar()->setVisible(!on);
  explain_->setFont(f);
  QHeaderView* header = partitions_view_->horizontalHeader();
  header->setFont(QApplication::font(header));  // presentation mode's: FitPartitionsType
  // Every header leaves room for a sort arrow when it is shown: too dear in large type.
  header->setSortIndicatorShown(!on);
  // The bars name every replica, marking the leader and the out-of-sync: the list is spare.
  partitions_view_->setColumnHidden(PartitionsModel::kReplicas, on);
  if (on) {
    FitPartitionsType(true);
  } else {
    partitions_->SetTwoLines(false);
    partitions_view_->setFont(QFont());  // the window's again
    SizePartitionRows();
  }
  cluster_->update();
}

int MainWindow::PartitionsTableNeeds() const {
  const QHeaderView* header = partitions_view_->horizontalHeader();
  // QTableView overrides it as protected; QAbstractItemView's is public.
  const QAbstractItemView* view = partitions_view_;
  int needs = 0;
  for (int c = 0; c < PartitionsModel::kLog; ++c)
    if (!partitions_view_->isColumnHidden(c)) needs += std::max(header->sectionSizeHint(c), view->sizeHintForColumn(c));
  return needs + std::max(header->sectionSizeHint(PartitionsModel::kLog),
                          PartitionBarsDelegate::MinWidth(partitions_view_->font()));
}

void MainWindow::FitPartitionsType(bool may_grow) {
  // A new type may show or hide the vertical scroll bar, which resizes the viewport, which fits
  // again: that inner fit is this one's business.
  if (!presentation_ || fitting_) return;
  const QScopedValueRollback guard(fitting_, true);
  const int current = QFontInfo(partitions_view_->font()).pixelSize();
  const int room = partitions_view_->viewport()->width();
  if (!may_grow && PartitionsTableNeeds() <= room) return;
  // Each size on one line, then on two (the ISR and status cells; rows are three replicas high,
  // so a second line costs no height): the largest type that fits, on one line where both do.
  for (int px = may_grow ? kPresentationPx : current; px >= kSmallestTablePx; px -= 2) {
    ApplyPartitionsType(px, /*two_lines=*/false);
    if (PartitionsTableNeeds() <= room) break;
    ApplyPartitionsType(px, /*two_lines=*/true);
    if (PartitionsTableNeeds() <= room) break;
  }
  SizePartitionRows();
  // The text columns fit their contents in the new type now, not at the next change of data.
  QMetaObject::invokeMethod(partitions_view_->horizontalHeader(), "resizeSections", Qt::DirectConnection);
}

void MainWindow::SizePartitionRows() {
  // Rows for three replicas, the usual replication factor, in the table's type.
  partitions_view_->verticalHeader()->setDefaultSectionSize(PartitionBarsDelegate::CellPx(partitions_view_->font(), 3));
}

void MainWindow::ApplyPartitionsType(int px, bool two_lines) {
  partitions_->SetTwoLines(two_lines);
  QFont f = font();
  f.setPixelSize(px);
  partitions_view_->setFont(f);
  // The headers': readable, yet small enough to leave the bars their room; never larger than the
  // cells'.
  QHeaderView* header = partitions_view_->horizontalHeader();
  QFont header_font = header->font();
  header_font.setPixelSize(std::min(kPresentationHeaderPx, px));
  header->setFont(header_font);
}

int MainWindow::PartitionsTableNeedsAt(int px) {
  const QScopedValueRollback guard(fitting_, true);  // a try, not a fit
  QHeaderView* header = partitions_view_->horizontalHeader();
  const QFont table_font = partitions_view_->font();
  const QFont header_font = header->font();
  const bool two_lines = partitions_->two_lines();
  ApplyPartitionsType(px, false);
  int needs = PartitionsTableNeeds();
  ApplyPartitionsType(px, true);
  needs = std::min(needs, PartitionsTableNeeds());
  partitions_->SetTwoLines(two_lines);
  partitions_view_->setFont(table_font);
  header->setFont(header_font);
  return needs;
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
  if (watched == partitions_view_->viewport() && event->type() == QEvent::Resize) FitPartitionsType(true);
  return QMainWindow::eventFilter(watched, event);
}

QWidget* MainWindow::ShowGallery() {
  auto* dialog = new QDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowTitle(tr("Scenario gallery"));
  auto* layout = new QVBoxLayout(dialog);
  layout->addWidget(new QLabel(tr("Click a scenario to open it."), dialog));
  auto* list = new QListWidget(dialog);
  list->setWordWrap(true);
  list->setObjectName(QStringLiteral("gallery"));
  const QDir dir(scenario_dir_);
  for (const QString& name : dir.entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name)) {
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) continue;
    const QByteArray bytes = file.readAll();
    Result<sim::Scenario> sc = sim::ParseScenario(std::string_view(bytes.constData(), size_t(bytes.size())),
                                                  path.toStdString());
    QString text = sc.ok() ? QStringLiteral("%1\n%2").arg(QString::fromStdString(sc->name),
                                                          QString::fromStdString(sc->description).simplified())
                           : tr("%1 (does not parse)").arg(name);
    auto* item = new QListWidgetItem(text, list);
    item->setData(Qt::UserRole, path);
    item->setToolTip(path);
    if (!sc.ok()) item->setFlags(Qt::NoItemFlags);
  }
  connect(list, &QListWidget::itemClicked, dialog, [this, dialog](QListWidgetItem* item) {
    if (OpenFile(item->data(Qt::UserRole).toString())) dialog->close();
  });
  layout->addWidget(list);
  dialog->resize(720, 560);
  dialog->show();
  return dialog;
}

void MainWindow::OpenAtFirstViolation(const QString& scenario, uint64_t seed) {
  if (!OpenFile(scenario, seed)) return;
  jump_to_violation_ = true;
  if (worker_) QMetaObject::invokeMethod(worker_, &SessionWorker::RunToFirstViolation, Qt::QueuedConnection);
}

QWidget* MainWindow::OpenReport(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    ShowError(tr("Cannot open the report"), tr("%1: %2").arg(path, file.errorString()));
    return nullptr;
  }
  QJsonParseError error;
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
  const QJsonObject r = doc.object();
  if (doc.isNull() || !r.contains("file") || !(r.contains("per_seed") || r.contains("seed"))) {
    ShowError(tr("Not a samsa report"),
              doc.isNull() ? tr("%1: offset %2: %3").arg(path).arg(error.offset).arg(error.errorString())
                           : tr("%1: expected a samsa-sim run or sweep report (--json), with \"file\" and "
                                "\"per_seed\" or \"seed\"").arg(path));
    return nullptr;
  }
  // The scenario: as written in the report (relative to where samsa-sim ran), else next to the
  // report, else in the scenario directory.
  const QString written = r.value("file").toString();
  QString scenario;
  for (const QString& candidate : {written, QFileInfo(path).dir().filePath(written),
                                   QDir(scenario_dir_).filePath(QFileInfo(written).fileName())})
    if (!candidate.isEmpty() && QFileInfo::exists(candidate)) {
      scenario = candidate;
      break;
    }
  if (scenario.isEmpty()) {
    ShowError(tr("Cannot find the report's scenario"), tr("%1 names %2, which is not there").arg(path, written));
    return nullptr;
  }
  struct Row {
    qint64 seed;
    bool passed;
    qint64 violations;
    QString failed;
  };
  std::vector<Row> rows;
  auto failed_names = [](const QJsonArray& a) {
    QStringList names;
    for (const QJsonValue& v : a) names << (v.isObject() ? v.toObject().value("name").toString() : v.toString());
    return names.join(", ");
  };
  if (r.contains("per_seed")) {
    for (const QJsonValue& v : r.value("per_seed").toArray()) {
      const QJsonObject o = v.toObject();
      rows.push_back({o.value("seed").toInteger(), o.value("passed").toBool(), o.value("violations_total").toInteger(),
                      failed_names(o.value("failed_expectations").toArray())});
    }
  } else {
    QJsonArray failed;
    for (const QJsonValue& v : r.value("expectations").toArray())
      if (!v.toObject().value("passed").toBool()) failed.append(v);
    rows.push_back({r.value("seed").toInteger(), r.value("passed").toBool(), r.value("violations_total").toInteger(),
                    failed_names(failed)});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return !a.passed && b.passed; });

  auto* dialog = new QDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowTitle(tr("Report: %1").arg(QFileInfo(path).fileName()));
  auto* layout = new QVBoxLayout(dialog);
  const qsizetype failing = std::count_if(rows.begin(), rows.end(), [](const Row& x) { return !x.passed; });
  layout->addWidget(new QLabel(tr("%1, %2 seeds, %3 failing. Click a seed to open that run at its first violation.")
                                   .arg(r.value("scenario").toString()).arg(rows.size()).arg(failing),
                               dialog));
  auto* table = new QTableWidget(int(rows.size()), 4, dialog);
  table->setObjectName(QStringLiteral("report"));
  table->setHorizontalHeaderLabels({tr("Seed"), tr("Verdict"), tr("Violations"), tr("Failed expectations")});
  table->verticalHeader()->hide();
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table->setSelectionBehavior(QAbstractItemView::SelectRows);
  table->horizontalHeader()->setStretchLastSection(true);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    const QStringList cells = {QString::number(row.seed), row.passed ? tr("passed") : tr("FAILED"),
                               QString::number(row.violations), row.failed};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      item->setData(Qt::UserRole, row.seed);
      if (!row.passed) item->setForeground(Palette::Vermillion());
      table->setItem(int(i), c, item);
    }
  }
  connect(table, &QTableWidget::cellClicked, dialog, [this, table, scenario](int row, int) {
    OpenAtFirstViolation(scenario, uint64_t(table->item(row, 0)->data(Qt::UserRole).toLongLong()));
  });
  layout->addWidget(table);
  dialog->resize(640, 420);
  dialog->show();
  return dialog;
}

QString MainWindow::explain_text() const { return explain_->text(); }
QWidget* MainWindow::inspector_panel() const { return inspector_; }

void MainWindow::InspectBroker(int32_t id) {
  inspector_->ShowBroker(id);
  if (!presentation_) tabs_->setCurrentWidget(inspector_);
}

void MainWindow::SetHeadlessSession(sim::Session& session) { inspector_->SetQueries(QueriesOf(session)); }
QWidget* MainWindow::chart_panel() const { return chart_; }

QWidget* MainWindow::cluster_panel() const { return cluster_; }
QWidget* MainWindow::partitions_panel() const { return partitions_panel_; }
QWidget* MainWindow::timeline_panel() const { return timeline_panel_; }
QString MainWindow::caption_text() const { return caption_->text(); }

}  // namespace samsa::gui

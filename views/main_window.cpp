// Wires the views, the session, the menus and the settings.
#include "views/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

#include "store/run_store.h"
#include "views/benchmark_view.h"
#include "views/bundled_samples.h"
#include "views/compare_view.h"
#include "views/explore_view.h"
#include "views/figure_widget.h"
#include "views/model_panel.h"
#include "views/profiler_dock.h"
#include "views/runs_view.h"

namespace dpn::views {

namespace {
constexpr int kMaxRecent = 8;         // entries per recent list
constexpr int kProfilerHeight = 210;  // the dock's first height: timeline and memory rows (it may shrink to 120)
}  // namespace

MainWindow::MainWindow(const StudioOptions& options, QWidget* parent)
    : QMainWindow(parent), auto_run_(options.auto_run) {
  setWindowTitle("DPN Studio");
  session_ = new Session(this);
  tabs_ = new QTabWidget;
  tabs_->setObjectName("tabs");
  explore_ = new ExploreView(session_);
  compare_ = new CompareView(session_);
  benchmark_ = new BenchmarkView(session_);
  runs_ = new RunsView;
  model_panel_ = new ModelPanel(session_);
  tabs_->addTab(explore_, "Explore");
  tabs_->addTab(compare_, "Compare");
  tabs_->addTab(benchmark_, "Benchmark");
  tabs_->addTab(runs_, "Runs");
  tabs_->addTab(model_panel_, "Model");
  setCentralWidget(tabs_);
  profiler_ = new ProfilerDock;
  profiler_->setObjectName("profiler");
  profiler_dock_ = new QDockWidget("Profiler (Dear ImGui)");
  profiler_dock_->setObjectName("profilerDock");
  profiler_dock_->setWidget(profiler_);
  addDockWidget(Qt::BottomDockWidgetArea, profiler_dock_);
  statusBar()->showMessage("starting\u2026");
  buildMenus();

  QSettings s;
  const QString db = !options.db_path.isEmpty() ? options.db_path
                     : s.value("runs/db").toString().isEmpty() ? QString::fromStdString(store::default_db_path())
                                                               : s.value("runs/db").toString();
  runs_->setDatabase(db, !options.db_must_exist);
  BenchmarkRequest br = benchmark_->request();
  br.db_path = (options.bench_db_path.isEmpty() ? db : options.bench_db_path).toStdString();
  benchmark_->setRequest(br);
  if (options.unattended) model_panel_->setConvertPolicy(ModelPanel::ConvertPolicy::OpenAsIs);

  const std::vector<BundledSample> samples = bundled_samples();
  const QString sample_image = samples.empty() ? QString() : samples.front().image;
  const QString sample_question = samples.empty() ? QString() : samples.front().question;
  QString image = options.restore ? s.value("explore/image").toString() : QString();
  QString question = options.restore ? s.value("explore/question").toString() : QString();
  if (image.isEmpty() || !QFileInfo::exists(image)) image = sample_image;
  if (question.isEmpty()) question = sample_question;
  if (!image.isEmpty()) explore_->setImage(image);
  explore_->setQuestion(question);
  if (!options.method.isEmpty()) explore_->setMethod(options.method);
  else if (options.restore && s.contains("explore/method")) explore_->setMethod(s.value("explore/method").toString());
  resizeDocks({profiler_dock_}, {kProfilerHeight}, Qt::Vertical);
  if (options.restore) {
    restoreGeometry(s.value("window/geometry").toByteArray());
    restoreState(s.value("window/state").toByteArray());
  }

  connect(model_panel_, &ModelPanel::loaded, this, [this](QString name, ModelInfo info) {
    explore_->setModelName(name);
    benchmark_->setModelName(name);
    setWindowTitle(QString("DPN Studio \u2014 %1").arg(name));
    statusBar()->showMessage(QString("%1 loaded: %2 decoder layers, grid %3x%3").arg(name).arg(info.llm_layers).arg(info.grid));
    addRecent("recent/models", name);
    // Compare what this model can run: DPN only on a DPN checkpoint; a fixed pyramid and FastV on any.
    QStringList methods = {"none"};
    if (!info.dpe_layers.empty()) methods << "dpn";
    if (info.llm_layers > 2) methods << QString("static:%1=2").arg(info.llm_layers / 4) << "fastv:k=2,r=0.5";
    compare_->setMethods(methods);
    benchmark_->setMethods(methods);
    emit modelReady();
    if (auto_run_) {
      auto_run_ = false;
      explore_->run();
    }
  });
  connect(session_, &Session::modelFailed, this, [this](QString m) {
    statusBar()->showMessage("model not loaded: " + m);
    tabs_->setCurrentWidget(model_panel_);
  });
  connect(session_, &Session::busyChanged, this, [this](bool busy) {
    statusBar()->showMessage(busy ? "working\u2026" : "ready");
  });
  connect(explore_, &ExploreView::runFinished, this, [this](const RunDocument& d) {
    profiler_->setRun(d);
    statusBar()->showMessage(QString("answered in %1 ms").arg(d.result.timing.prefill_ms + d.result.timing.decode_ms, 0, 'f', 0));
    emit exploreFinished();
  });
  connect(explore_, &ExploreView::imageOpened, this, [this](QString p) { addRecent("recent/images", p); });
  connect(benchmark_, &BenchmarkView::finished, runs_, &RunsView::refresh);
  connect(benchmark_, &BenchmarkView::openInExplore, this, [this](QString image, QString question, QString method) {
    explore_->setImage(image);
    explore_->setQuestion(question);
    explore_->setMethod(method);
    tabs_->setCurrentWidget(explore_);
    explore_->run();
  });
  connect(tabs_, &QTabWidget::currentChanged, this, [this] { syncCompareInput(); });

  QString model = options.model;
  if (model.isEmpty()) model = s.value("model/last").toString();
  if (model.isEmpty()) model = ModelPanel::defaultModel();
  model_panel_->load(model, options.vision_tower);
}

MainWindow::~MainWindow() = default;

void MainWindow::syncCompareInput() {
  compare_->setInput(explore_->modelName(), explore_->imagePath(), explore_->image(), explore_->question());
}

bool MainWindow::showView(const QString& name) {
  syncCompareInput();
  if (name == "profiler") {
    profiler_dock_->show();
    profiler_dock_->raise();
    resizeDocks({profiler_dock_}, {height() / 2}, Qt::Vertical);
    return true;
  }
  QWidget* w = nullptr;
  if (name == "explore") w = explore_;
  if (name == "compare") w = compare_;
  if (name == "benchmark") w = benchmark_;
  if (name == "runs") w = runs_;
  if (name == "model") w = model_panel_;
  if (!w) return false;
  tabs_->setCurrentWidget(w);
  return true;
}

void MainWindow::openImage(const QString& path) {
  explore_->setImage(path);
  tabs_->setCurrentWidget(explore_);
}

void MainWindow::exportCurrentFigure() {
  FigureWidget* w = explore_->findChild<FigureWidget*>("tokenMap");
  if (w) w->exportWithDialog();
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu("&File");
  file->addAction("Open image\u2026", QKeySequence::Open, this, [this] {
    QString p = QFileDialog::getOpenFileName(this, "Open image", QFileInfo(explore_->imagePath()).absolutePath(),
                                             "Images (*.png *.jpg *.jpeg *.bmp *.webp)");
    if (!p.isEmpty()) openImage(p);
  });
  file->addAction("Open checkpoint folder\u2026", QKeySequence("Ctrl+Shift+O"), this, [this] {
    QString d = QFileDialog::getExistingDirectory(this, "Open checkpoint folder");
    if (!d.isEmpty()) model_panel_->load(d), tabs_->setCurrentWidget(model_panel_);
  });
  recent_menu_ = file->addMenu("Recent");
  rebuildRecentMenu();
  file->addSeparator();
  file->addAction("Export token map\u2026", QKeySequence("Ctrl+E"), this, &MainWindow::exportCurrentFigure);
  file->addAction("Export token pyramid\u2026", QKeySequence("Ctrl+Shift+E"), this, [this] {
    if (auto* w = explore_->findChild<FigureWidget*>("tokenStrip")) w->exportWithDialog();
  });
  file->addSeparator();
  file->addAction("Quit", QKeySequence::Quit, this, &QWidget::close);

  QMenu* run = menuBar()->addMenu("&Run");
  QAction* run_a = run->addAction("Run question", QKeySequence("Ctrl+Return"), explore_, &ExploreView::run);
  run_a->setObjectName("actionRun");
  run->addAction("Cancel", QKeySequence("Escape"), this, [this] { session_->cancel(); });
  run->addSeparator();
  QAction* next = run->addAction("Next layer", QKeySequence("Ctrl+Right"), explore_, &ExploreView::nextLayer);
  next->setObjectName("actionNextLayer");
  QAction* prev = run->addAction("Previous layer", QKeySequence("Ctrl+Left"), explore_, &ExploreView::previousLayer);
  prev->setObjectName("actionPreviousLayer");

  QMenu* view = menuBar()->addMenu("&View");
  const QStringList names = {"explore", "compare", "benchmark", "runs", "model"};
  for (int i = 0; i < names.size(); ++i)
    view->addAction(tabs_->tabText(i), QKeySequence(QString("Ctrl+%1").arg(i + 1)), this,
                    [this, n = names[i]] { showView(n); });
  view->addAction(profiler_dock_->toggleViewAction());
}

void MainWindow::addRecent(const QString& key, const QString& value) {
  QSettings s;
  QStringList l = s.value(key).toStringList();
  l.removeAll(value);
  l.prepend(value);
  while (l.size() > kMaxRecent) l.removeLast();
  s.setValue(key, l);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  if (!recent_menu_) return;
  recent_menu_->clear();
  QSettings s;
  for (const QString& p : s.value("recent/images").toStringList())
    recent_menu_->addAction("Image: " + QFileInfo(p).fileName(), this, [this, p] { openImage(p); });
  for (const QString& m : s.value("recent/models").toStringList())
    recent_menu_->addAction("Model: " + m, this, [this, m] { model_panel_->load(m); });
  recent_menu_->setEnabled(!recent_menu_->isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings s;
  s.setValue("window/geometry", saveGeometry());
  s.setValue("window/state", saveState());
  s.setValue("explore/image", explore_->imagePath());
  s.setValue("explore/question", explore_->question());
  s.setValue("explore/method", explore_->methodText());
  s.setValue("model/last", QString::fromStdString(model_panel_->options().path));
  s.setValue("runs/db", runs_->databasePath());
  session_->cancel();
  event->accept();
}

}  // namespace dpn::views

// The DPN Studio window: Explore, Compare, Benchmark, Runs and Model tabs, the ImGui profiler dock, menus with
// shortcuts, recent files and settings. It wires views together; it computes nothing itself.
#pragma once
#include <QMainWindow>

#include "views/session.h"

class QTabWidget;
class QDockWidget;
class QMenu;

namespace dpn::views {

class ExploreView;
class CompareView;
class BenchmarkView;
class RunsView;
class ModelPanel;
class ProfilerDock;

struct StudioOptions {
  QString model;              // "" = the remembered one, else the default bundled model
  QString vision_tower;       // original LLaVA layout: the CLIP folder
  QString method;             // "" = the remembered one, else none
  QString db_path;            // the Runs view's store; "" = the remembered one, else store::default_db_path()
  bool db_must_exist = false; // open db_path only if it exists (never create it)
  QString bench_db_path;      // where benchmarks write; "" = db_path
  bool restore = true;        // restore the last image/question/method from QSettings
  bool auto_run = false;      // run the default question as soon as the model is loaded
  bool unattended = false;    // scripted (--screenshot): nothing may wait for a person; *.bin checkpoints open as is
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const StudioOptions& options, QWidget* parent = nullptr);
  ~MainWindow() override;

  Session* session() const { return session_; }
  ExploreView* explore() const { return explore_; }
  CompareView* compare() const { return compare_; }
  BenchmarkView* benchmark() const { return benchmark_; }
  RunsView* runs() const { return runs_; }
  ModelPanel* modelPanel() const { return model_panel_; }
  ProfilerDock* profiler() const { return profiler_; }
  // explore | compare | benchmark | runs | model | profiler (the dock, raised)
  bool showView(const QString& name);
  void openImage(const QString& path);
  void exportCurrentFigure();  // the token map, via a file dialog

 signals:
  void modelReady();
  void exploreFinished();

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void addRecent(const QString& key, const QString& value);
  void rebuildRecentMenu();
  void syncCompareInput();
  Session* session_;
  QTabWidget* tabs_;
  ExploreView* explore_;
  CompareView* compare_;
  BenchmarkView* benchmark_;
  RunsView* runs_;
  ModelPanel* model_panel_;
  QDockWidget* profiler_dock_;
  ProfilerDock* profiler_;
  QMenu* recent_menu_ = nullptr;
  bool auto_run_ = false;
};

}  // namespace dpn::views

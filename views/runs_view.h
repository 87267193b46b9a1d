// Runs: the SQLite history. Filter, sort, open a run (summary + samples), diff two runs, export CSV, delete. Every
// query runs on the store thread (views/run_store_worker.h); results arrive as structs and the signals below say
// when each request has been answered.
#pragma once
#include <QWidget>
#include <memory>

#include "views/run_store_worker.h"
#include "views/worker_thread.h"

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;
class QLabel;

namespace dpn::views {

class RunListModel;
class SampleTableModel;

class RunsView : public QWidget {
  Q_OBJECT
 public:
  explicit RunsView(QWidget* parent = nullptr);
  ~RunsView() override;
  // Opens (or, with `create`, creates) the store file; errors are shown in the view.
  void setDatabase(const QString& path, bool create = true);
  QString databasePath() const { return db_path_; }
  void refresh();
  void openRun(int64_t id);
  void diffRuns(int64_t a, int64_t b);
  void exportCsv(int64_t id, const QString& path);  // answered by exported() or failed()
  // Deletes after a confirmation box unless `confirm` is false (tests, scripted use).
  void deleteRun(int64_t id, bool confirm = true);
  std::vector<int64_t> selectedRunIds() const;
  RunListModel* model() const { return model_; }
  SampleTableModel* samples() const { return samples_model_; }
  int64_t openedRun() const { return opened_; }

 signals:
  void listed();
  void runOpened(qint64 id);
  void diffed();
  void exported(QString path);
  void deleted(qint64 id);
  void failed(QString message);

 private:
  void showError(const QString& text);
  WorkerThread<RunStoreWorker> store_{"dpn-store"};
  QString db_path_;
  RunListModel* model_;
  QSortFilterProxyModel* proxy_;
  SampleTableModel* samples_model_;
  QLineEdit* filter_;
  QTableView* table_;
  QTextBrowser* detail_;
  QTableView* samples_;
  QLabel* status_;
  int64_t opened_ = 0;
};

}  // namespace dpn::views

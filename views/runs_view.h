// Runs: the SQLite history. Filter, sort, open a run (summary + samples), diff two runs, export CSV, delete.
#pragma once
#include <QWidget>
#include <memory>

#include "store/run_store.h"

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;
class QTextBrowser;
class QLabel;

namespace dpn::views {

class RunListModel;

class RunsView : public QWidget {
  Q_OBJECT
 public:
  explicit RunsView(QWidget* parent = nullptr);
  // Opens (or creates) the store file; errors are shown in the view.
  void setDatabase(const QString& path);
  QString databasePath() const { return db_path_; }
  void refresh();
  void openRun(int64_t id);
  void diffRuns(int64_t a, int64_t b);
  bool exportCsv(int64_t id, const QString& path);  // false (and a message) on failure
  // Deletes after a confirmation box unless `confirm` is false (tests, scripted use).
  bool deleteRun(int64_t id, bool confirm = true);
  std::vector<int64_t> selectedRunIds() const;
  RunListModel* model() const { return model_; }
  int64_t openedRun() const { return opened_; }

 private:
  void showError(const QString& text);
  QString db_path_;
  std::unique_ptr<store::RunStore> store_;
  RunListModel* model_;
  QSortFilterProxyModel* proxy_;
  QLineEdit* filter_;
  QTableView* table_;
  QTextBrowser* detail_;
  QTableWidget* samples_;
  QLabel* status_;
  int64_t opened_ = 0;
};

}  // namespace dpn::views

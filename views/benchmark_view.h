// Benchmark: choose dataset, subset and methods; run on the worker with progress, ETA and cancel; results table,
// accuracy-versus-FLOPs chart and expert frequencies per layer and question family; a row opens in Explore.
#pragma once
#include <QWidget>

#include "views/benchmark_job.h"
#include "views/figures/expert_frequency_figure.h"
#include "views/figures/figure.h"
#include "views/sample_table_model.h"
#include "views/session.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace dpn::views {

class FigureWidget;
class SampleTableModel;

class BenchmarkView : public QWidget {
  Q_OBJECT
 public:
  explicit BenchmarkView(Session* session, QWidget* parent = nullptr);
  void setRequest(const BenchmarkRequest& request);  // fills the form
  BenchmarkRequest request() const;                   // reads the form
  void setModelName(const QString& name);  // for the figures' descriptions; the worker's loaded model runs
  void setMethods(const QStringList& methods);
  void run();
  void cancel();
  int resultRows() const;
  QTableView* resultsView() const { return table_; }
  // The results table's filter: 0 all samples, 1 wrong answers, 2 wrong answers where DPN pooled more than 2x2.
  void setSampleFilter(int index);
  Figure accuracyFigure() const;
  // The bars of the expert figure: what routers chose, per (DPE layer, question family), tallied by core.
  const std::vector<ExpertFrequency>& expertFrequencies() const { return expert_rows_; }

 signals:
  void finished(bool cancelled);
  void openInExplore(QString image, QString question, QString method);

 private:
  void showResults(const BenchmarkOutcome& outcome);
  Session* session_;
  QString model_name_;
  bool running_ = false;
  QComboBox* kind_;
  QLineEdit *questions_, *images_, *annotations_, *family_, *methods_, *db_;
  QSpinBox* limit_;
  QPushButton *run_, *cancel_;
  QProgressBar* progress_;
  QLabel* eta_;
  void applySampleFilter();
  SampleTableModel* results_;
  std::vector<SampleTableRow> all_rows_;  // every result row; the table shows those the filter keeps
  QComboBox* sample_filter_;
  QLabel* filter_count_;
  QTableView* table_;
  FigureWidget* accuracy_;
  FigureWidget* experts_;
  Figure accuracy_figure_, expert_figure_;
  std::vector<ExpertFrequency> expert_rows_;
};

}  // namespace dpn::views

// Benchmark view: the form, the progress and the results read back from the run store.
#include "views/benchmark_view.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>

#include "bench/progress.h"
#include "eval/sample.h"
#include "views/figure_widget.h"
#include "views/figures/accuracy_flops_figure.h"
#include "views/figures/expert_frequency_figure.h"
#include "views/sample_table_model.h"

namespace dpn::views {

namespace {

std::vector<AccuracyPoint> accuracy_points(const bench::BenchSummary& s) {
  std::vector<AccuracyPoint> points;
  for (const bench::MethodSummary& m : s.methods)
    if (m.n > 0) points.push_back({QString::fromStdString(m.method), m.mean_flops_llm, m.accuracy, m.ci95.lo, m.ci95.hi, m.n});
  return points;
}

// Core's tally (router choices only) per (DPE layer, family) as the figure's bars; several methods with routers
// are told apart by a "method · family" label.
std::vector<ExpertFrequency> expert_bars(const bench::BenchSummary& s) {
  int with_routers = 0;
  for (const bench::MethodSummary& m : s.methods) with_routers += m.family_experts.empty() ? 0 : 1;
  std::vector<ExpertFrequency> bars;
  for (const bench::MethodSummary& m : s.methods)
    for (const bench::ExpertFrequency& f : m.family_experts) {
      ExpertFrequency b{f.layer, QString::fromStdString(f.family), {}};
      if (with_routers > 1) b.family = QString::fromStdString(m.method) + " · " + b.family;
      for (double x : f.frequency) b.counts.push_back(int(std::lround(x * double(f.n))));
      bars.push_back(b);
    }
  return bars;
}

}  // namespace

BenchmarkView::BenchmarkView(Session* session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* v = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  auto* form = new QFormLayout;
  kind_ = new QComboBox;
  kind_->setObjectName("benchKind");
  for (const std::string& n : eval::reader_names()) kind_->addItem(QString::fromStdString(n));
  questions_ = new QLineEdit, images_ = new QLineEdit, annotations_ = new QLineEdit;
  family_ = new QLineEdit, methods_ = new QLineEdit, db_ = new QLineEdit;
  questions_->setObjectName("benchQuestions");
  methods_->setObjectName("benchMethods");
  methods_->setToolTip("methods separated by ';'");
  family_->setPlaceholderText("all families");
  limit_ = new QSpinBox;
  limit_->setObjectName("benchLimit");
  limit_->setRange(0, 1000000);
  limit_->setSpecialValueText("all");
  form->addRow("Dataset", kind_);
  form->addRow("Questions", questions_);
  form->addRow("Images", images_);
  form->addRow("Answers", annotations_);
  auto* sub = new QHBoxLayout;
  sub->addWidget(new QLabel("limit"));
  sub->addWidget(limit_);
  sub->addWidget(new QLabel("family"));
  sub->addWidget(family_, 1);
  form->addRow("Subset", sub);
  form->addRow("Methods", methods_);
  form->addRow("Run store", db_);
  top->addLayout(form, 3);
  auto* ctl = new QVBoxLayout;
  run_ = new QPushButton("Run benchmark");
  run_->setObjectName("benchRun");
  cancel_ = new QPushButton("Cancel");
  cancel_->setObjectName("benchCancel");
  cancel_->setEnabled(false);
  progress_ = new QProgressBar;
  progress_->setObjectName("benchProgress");
  progress_->setValue(0);
  eta_ = new QLabel("idle");
  eta_->setObjectName("benchEta");
  eta_->setWordWrap(true);
  ctl->addWidget(run_);
  ctl->addWidget(cancel_);
  ctl->addWidget(progress_);
  ctl->addWidget(eta_);
  ctl->addStretch();
  top->addLayout(ctl, 2);
  v->addLayout(top);
  auto* split = new QSplitter(Qt::Horizontal);
  auto* left = new QWidget;
  auto* lv = new QVBoxLayout(left);
  lv->setContentsMargins(0, 0, 0, 0);
  auto* filter_row = new QHBoxLayout;
  sample_filter_ = new QComboBox;
  sample_filter_->setObjectName("benchSampleFilter");
  sample_filter_->addItems({"all samples", "wrong answers", "wrong answers where DPN pooled more than 2x2"});
  sample_filter_->setToolTip("the same query as `dpn runs show ID --wrong --pooled-beyond 2x2`");
  filter_count_ = new QLabel;
  filter_count_->setObjectName("benchFilterCount");
  filter_row->addWidget(new QLabel("Show"));
  filter_row->addWidget(sample_filter_);
  filter_row->addWidget(filter_count_, 1);
  lv->addLayout(filter_row);
  results_ = new SampleTableModel(this);
  auto* sorted = new QSortFilterProxyModel(this);
  sorted->setSourceModel(results_);
  sorted->setSortRole(Qt::EditRole);
  table_ = new QTableView;
  table_->setObjectName("benchResults");
  table_->setModel(sorted);
  table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);  // as stored until a header is clicked
  table_->setSortingEnabled(true);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->horizontalHeader()->setSectionResizeMode(SampleTableModel::Question, QHeaderView::Stretch);
  table_->setWordWrap(false);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setToolTip("double-click a sample to open it in Explore");
  lv->addWidget(table_, 1);
  split->addWidget(left);
  auto* figs = new QSplitter(Qt::Vertical);
  accuracy_ = new FigureWidget;
  accuracy_->setObjectName("accuracyFlops");
  experts_ = new FigureWidget;
  experts_->setObjectName("expertFrequencies");
  figs->addWidget(accuracy_);
  figs->addWidget(experts_);
  split->addWidget(figs);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setSizes({700, 520});
  figs->setMinimumWidth(380);
  v->addWidget(split, 1);
  setRequest(default_benchmark_request());

  connect(sample_filter_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int) { applySampleFilter(); });
  connect(run_, &QPushButton::clicked, this, &BenchmarkView::run);
  connect(cancel_, &QPushButton::clicked, this, &BenchmarkView::cancel);
  connect(table_, &QTableView::doubleClicked, this, [this, sorted](const QModelIndex& index) {
    const SampleTableRow& r = results_->rows()[size_t(sorted->mapToSource(index).row())];
    if (!r.image.isEmpty()) emit openInExplore(r.image, r.question, r.method);
  });
  connect(session_, &Session::benchmarkProgress, this, [this](BenchmarkProgress p) {
    if (!running_) return;
    progress_->setMaximum(int(p.total));
    progress_->setValue(int(p.done));
    eta_->setText(QString("%1 / %2 \u00b7 %3 \u00b7 ETA %4").arg(p.done).arg(p.total)
                      .arg(QString::fromStdString(p.method), QString::fromStdString(bench::format_eta(p.eta_s))));
  });
  connect(session_, &Session::benchmarkFinished, this, [this](BenchmarkOutcome o) {
    running_ = false;
    run_->setEnabled(true);
    cancel_->setEnabled(false);
    eta_->setText(o.summary.cancelled ? "cancelled (completed samples are kept; run again to resume)" : "done");
    showResults(o);
    emit finished(o.summary.cancelled);
  });
  connect(session_, &Session::benchmarkFailed, this, [this](QString m) {
    running_ = false;
    run_->setEnabled(true);
    cancel_->setEnabled(false);
    eta_->setText("<span style='color:#b00020'>" + m.toHtmlEscaped() + "</span>");
    emit finished(true);
  });
}

void BenchmarkView::setRequest(const BenchmarkRequest& r) {
  kind_->setCurrentText(QString::fromStdString(r.dataset_kind));
  questions_->setText(QString::fromStdString(r.questions));
  images_->setText(QString::fromStdString(r.images));
  annotations_->setText(QString::fromStdString(r.annotations));
  family_->setText(QString::fromStdString(r.family));
  limit_->setValue(int(r.limit));
  QStringList m;
  for (const auto& s : r.methods) m << QString::fromStdString(s);
  methods_->setText(m.join("; "));
  db_->setText(QString::fromStdString(r.db_path));
}

BenchmarkRequest BenchmarkView::request() const {
  BenchmarkRequest r;
  r.dataset_kind = kind_->currentText().toStdString();
  r.questions = questions_->text().toStdString();
  r.images = images_->text().toStdString();
  r.annotations = annotations_->text().toStdString();
  r.family = family_->text().trimmed().toStdString();
  r.limit = limit_->value();
  for (const QString& m : methods_->text().split(';', Qt::SkipEmptyParts))
    if (!m.trimmed().isEmpty()) r.methods.push_back(m.trimmed().toStdString());
  r.db_path = db_->text().toStdString();
  return r;
}

void BenchmarkView::setModelName(const QString& name) { model_name_ = name; }

void BenchmarkView::setMethods(const QStringList& methods) { methods_->setText(methods.join("; ")); }

void BenchmarkView::run() {
  if (running_) return;
  running_ = true;
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  progress_->setValue(0);
  eta_->setText("starting\u2026");
  session_->runBenchmark(request());
}

void BenchmarkView::cancel() {
  if (running_) session_->cancel();
}

int BenchmarkView::resultRows() const { return results_->rowCount(); }

void BenchmarkView::setSampleFilter(int index) { sample_filter_->setCurrentIndex(index); }

void BenchmarkView::applySampleFilter() {
  store::SampleFilter f;
  const int mode = sample_filter_->currentIndex();
  if (mode >= 1) f.correctness = store::SampleFilter::Correctness::wrong;
  if (mode == 2) store::parse_pooled_beyond("2x2", f);
  results_->setRows(mode == 0 ? all_rows_ : filter_rows(all_rows_, f));
  filter_count_->setText(QString("%1 of %2 rows").arg(results_->rowCount()).arg(all_rows_.size()));
}

void BenchmarkView::showResults(const BenchmarkOutcome& o) {
  all_rows_ = sample_rows(o.summary);
  applySampleFilter();
  const BenchmarkRequest& req = o.request;
  const QString desc = QString("dataset=%1; limit=%2; family=%3; model=%4")
                           .arg(QString::fromStdString(req.questions)).arg(req.limit)
                           .arg(QString::fromStdString(req.family), model_name_);
  const std::vector<AccuracyPoint> points = accuracy_points(o.summary);
  accuracy_figure_.paint = [points](QPainter& p, const QRectF& r) { paint_accuracy_flops(p, r, points); };
  accuracy_figure_.size = QSizeF(560, 380);
  accuracy_figure_.meta = {"accuracy versus FLOPs", desc};
  expert_rows_ = expert_bars(o.summary);
  expert_figure_.paint = [rows = expert_rows_](QPainter& p, const QRectF& r) { paint_expert_frequencies(p, r, rows); };
  expert_figure_.size = QSizeF(std::max<size_t>(6, expert_rows_.size()) * 70.0, 320);
  expert_figure_.meta = {"expert frequencies", desc};
  table_->resizeColumnsToContents();  // the question column takes what is left
  table_->setColumnWidth(SampleTableModel::Prediction, std::min(table_->columnWidth(SampleTableModel::Prediction), 260));
  accuracy_->setFigure(accuracy_figure_);
  experts_->setFigure(expert_figure_);
}

Figure BenchmarkView::accuracyFigure() const { return accuracy_figure_; }

}  // namespace dpn::views

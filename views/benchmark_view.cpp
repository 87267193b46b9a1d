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
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <map>

#include "eval/sample.h"
#include "store/run_store.h"
#include "views/figure_widget.h"
#include "views/figures/accuracy_flops_figure.h"
#include "views/figures/expert_frequency_figure.h"

namespace dpn::views {

namespace {
enum Column { kMethod, kSample, kFamily, kQuestion, kPrediction, kAnswer, kScore, kColumns };
}

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
  table_ = new QTableWidget(0, kColumns);
  table_->setObjectName("benchResults");
  table_->setHorizontalHeaderLabels({"method", "sample", "family", "question", "prediction", "answer", "score"});
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setWordWrap(false);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setToolTip("double-click a sample to open it in Explore");
  split->addWidget(table_);
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

  connect(run_, &QPushButton::clicked, this, &BenchmarkView::run);
  connect(cancel_, &QPushButton::clicked, this, &BenchmarkView::cancel);
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
    const QString id = table_->item(row, kSample)->text();
    auto it = outcome_.images.find(id.toStdString());
    if (it != outcome_.images.end())
      emit openInExplore(QString::fromStdString(it->second), table_->item(row, kQuestion)->data(Qt::UserRole).toString(),
                         table_->item(row, kMethod)->text());
  });
  connect(session_, &Session::benchmarkProgress, this, [this](BenchmarkProgress p) {
    if (!running_) return;
    progress_->setMaximum(int(p.total));
    progress_->setValue(int(p.done));
    const QString eta = p.eta_s < 0 ? QString("--:--")
                                    : QString("%1:%2").arg(int(p.eta_s) / 60).arg(int(p.eta_s) % 60, 2, 10, QChar('0'));
    eta_->setText(QString("%1 / %2 \u00b7 %3 \u00b7 ETA %4").arg(p.done).arg(p.total)
                      .arg(QString::fromStdString(p.method), eta));
  });
  connect(session_, &Session::benchmarkFinished, this, [this](BenchmarkOutcome o) {
    running_ = false;
    run_->setEnabled(true);
    cancel_->setEnabled(false);
    eta_->setText(o.cancelled ? "cancelled (completed samples are kept; run again to resume)" : "done");
    showResults(o);
    emit finished(o.cancelled);
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
  r.dataset_name = r.dataset_kind;
  r.model_name = model_name_.toStdString();
  r.model_path = model_options_.path;
  r.vision_tower = model_options_.vision_tower;
  r.dtype = model_options_.dtype;
  r.device = model_options_.device;
  return r;
}

void BenchmarkView::setModel(const QString& name, const ModelOptions& options) {
  model_name_ = name;
  model_options_ = options;
}

void BenchmarkView::setMethods(const QStringList& methods) { methods_->setText(methods.join("; ")); }

void BenchmarkView::run() {
  if (running_) return;
  last_ = request();
  running_ = true;
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  progress_->setValue(0);
  eta_->setText("starting\u2026");
  session_->runBenchmark(last_);
}

void BenchmarkView::cancel() {
  if (running_) session_->cancel();
}

int BenchmarkView::resultRows() const { return table_->rowCount(); }

void BenchmarkView::showResults(const BenchmarkOutcome& o) {
  outcome_ = o;
  table_->setRowCount(0);
  std::vector<AccuracyPoint> points;
  std::map<std::pair<int, std::string>, std::vector<int>> freq;
  try {
    store::RunStore db(last_.db_path);
    for (size_t i = 0; i < o.run_ids.size(); ++i) {
      store::RunSummary s = db.run_summary(o.run_ids[i]);
      // The full method spec as requested (the store keeps the kind and its parameters apart).
      const QString method = QString::fromStdString(i < last_.methods.size() ? last_.methods[i] : s.run.spec.method);
      points.push_back({method, s.mean_flops_llm, s.accuracy});
      for (const store::SampleResult& r : db.samples(o.run_ids[i], true)) {
        const int row = table_->rowCount();
        table_->insertRow(row);
        QStringList c = {method, QString::fromStdString(r.sample_id),
                         QString::fromStdString(r.family), QString::fromStdString(r.question).simplified(),
                         QString::fromStdString(r.prediction), QString::fromStdString(r.answer),
                         QString::number(r.score, 'f', 2)};
        for (int k = 0; k < kColumns; ++k) {
          auto* item = new QTableWidgetItem(c[k]);
          item->setToolTip(c[k]);
          table_->setItem(row, k, item);
        }
        table_->item(row, kQuestion)->setData(Qt::UserRole, QString::fromStdString(r.question));
        // Only what routers chose: a static pyramid or a forced path stores its pooling as decisions too, without
        // router probabilities (or marked overridden).
        for (const store::RouterDecisionRow& d : r.routers) {
          if (d.overridden || d.probs_json.empty() || d.probs_json == "[]") continue;
          auto& counts = freq[{d.layer, r.family}];
          if (int(counts.size()) <= d.expert) counts.resize(size_t(d.expert) + 1);
          ++counts[size_t(d.expert)];
        }
      }
    }
  } catch (const std::exception& e) {
    eta_->setText("<span style='color:#b00020'>" + QString(e.what()).toHtmlEscaped() + "</span>");
  }
  std::vector<ExpertFrequency> rows;
  for (const auto& [key, counts] : freq) rows.push_back({key.first, QString::fromStdString(key.second), counts});
  const QString desc = QString("dataset=%1; limit=%2; family=%3; model=%4")
                           .arg(QString::fromStdString(last_.questions)).arg(last_.limit)
                           .arg(QString::fromStdString(last_.family), model_name_);
  accuracy_figure_.paint = [points](QPainter& p, const QRectF& r) { paint_accuracy_flops(p, r, points); };
  accuracy_figure_.size = QSizeF(560, 380);
  accuracy_figure_.meta = {"accuracy versus FLOPs", desc};
  expert_rows_ = rows;
  expert_figure_.paint = [rows](QPainter& p, const QRectF& r) { paint_expert_frequencies(p, r, rows); };
  expert_figure_.size = QSizeF(std::max<size_t>(6, rows.size()) * 70.0, 320);
  expert_figure_.meta = {"expert frequencies", desc};
  table_->resizeColumnsToContents();
  for (int k : {kQuestion, kPrediction})
    table_->setColumnWidth(k, std::min(table_->columnWidth(k), 260));
  accuracy_->setFigure(accuracy_figure_);
  experts_->setFigure(expert_figure_);
}

Figure BenchmarkView::accuracyFigure() const { return accuracy_figure_; }
Figure BenchmarkView::expertFigure() const { return expert_figure_; }

}  // namespace dpn::views

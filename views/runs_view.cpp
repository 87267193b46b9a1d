// Runs view: asks the store thread for what it shows and renders the answers; never writes except delete.
#include "views/runs_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QFileDialog>

#include "views/figures/figure.h"
#include "views/run_list_model.h"
#include "views/sample_table_model.h"

namespace dpn::views {

namespace {
QString q(const std::string& s) { return QString::fromStdString(s); }

QString summary_html(const store::RunSummary& s) {
  QString html = QString("<h3>Run %1: %2 on %3</h3><p>model <b>%4</b> &middot; %5 %6 &middot; %7 &middot; %8</p>"
                         "<p>%9 samples &middot; accuracy <b>%10 %</b> &middot; mean score %11 &middot; "
                         "latency %12 ms &middot; LLM FLOPs %13</p>")
                     .arg(s.run.id).arg(q(s.run.spec.method), q(s.run.spec.dataset_name), q(s.run.spec.model_name),
                                        q(s.run.spec.dtype), q(s.run.spec.device), q(s.run.created_at), q(s.run.status))
                     .arg(s.run.n_samples).arg(s.accuracy * 100, 0, 'f', 1).arg(s.run.mean_score, 0, 'f', 3)
                     .arg(s.mean_latency_ms, 0, 'f', 1).arg(format_flops(s.mean_flops_llm));
  html += "<table border=1 cellspacing=0 cellpadding=3><tr><th>family</th><th>n</th><th>accuracy</th></tr>";
  for (const auto& f : s.families)
    html += QString("<tr><td>%1</td><td>%2</td><td>%3 %</td></tr>").arg(q(f.family)).arg(f.n).arg(f.accuracy * 100, 0, 'f', 1);
  return html + "</table>";
}

QString diff_html(const store::RunDiff& d) {
  QString html = QString("<h3>Run %1 vs run %2</h3><p>%3 common samples (%4 only in A, %5 only in B)</p>"
                         "<p>mean score A %6 &middot; B %7 &middot; %8 predictions changed: %9 fixed, %10 broken</p>")
                     .arg(d.a.id).arg(d.b.id).arg(d.common).arg(d.only_a).arg(d.only_b).arg(d.mean_score_a, 0, 'f', 3)
                     .arg(d.mean_score_b, 0, 'f', 3).arg(d.changed_predictions).arg(d.fixed).arg(d.broken);
  html += "<table border=1 cellspacing=0 cellpadding=3><tr><th>sample</th><th>A</th><th>B</th></tr>";
  for (const auto& c : d.changed)
    html += QString("<tr><td>%1</td><td>%2 (%3)</td><td>%4 (%5)</td></tr>")
                .arg(q(c.sample_id), q(c.prediction_a).toHtmlEscaped())
                .arg(c.score_a).arg(q(c.prediction_b).toHtmlEscaped()).arg(c.score_b);
  return html + "</table>";
}
}  // namespace

RunsView::RunsView(QWidget* parent) : QWidget(parent) {
  register_meta_types();
  auto* v = new QVBoxLayout(this);
  auto* row = new QHBoxLayout;
  filter_ = new QLineEdit;
  filter_->setObjectName("runsFilter");
  filter_->setPlaceholderText("filter runs (model, dataset, method, status)");
  row->addWidget(filter_, 1);
  auto button = [&](const QString& text, const char* name) {
    auto* b = new QPushButton(text);
    b->setObjectName(name);
    row->addWidget(b);
    return b;
  };
  QPushButton* refresh_b = button("Refresh", "refreshRuns");
  QPushButton* open_b = button("Open", "openRun");
  QPushButton* diff_b = button("Diff two", "diffRuns");
  QPushButton* csv_b = button("Export CSV\u2026", "exportCsv");
  QPushButton* del_b = button("Delete\u2026", "deleteRun");
  v->addLayout(row);
  auto* split = new QSplitter(Qt::Vertical);
  model_ = new RunListModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setFilterKeyColumn(-1);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setSortRole(Qt::EditRole);
  table_ = new QTableView;
  table_->setObjectName("runsTable");
  table_->setModel(proxy_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(RunListModel::Id, Qt::DescendingOrder);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  split->addWidget(table_);
  auto* bottom = new QSplitter(Qt::Horizontal);
  detail_ = new QTextBrowser;
  detail_->setObjectName("runDetail");
  bottom->addWidget(detail_);
  samples_model_ = new SampleTableModel(this);
  auto* sorted_samples = new QSortFilterProxyModel(this);
  sorted_samples->setSourceModel(samples_model_);
  sorted_samples->setSortRole(Qt::EditRole);
  samples_ = new QTableView;
  samples_->setObjectName("runSamples");
  samples_->setModel(sorted_samples);
  samples_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);  // as stored until a header is clicked
  samples_->setSortingEnabled(true);
  samples_->hideColumn(SampleTableModel::Method);  // one run: one method, named above
  samples_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  samples_->horizontalHeader()->setSectionResizeMode(SampleTableModel::Question, QHeaderView::Stretch);
  samples_->verticalHeader()->hide();
  samples_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  samples_->setWordWrap(false);
  bottom->addWidget(samples_);
  split->addWidget(bottom);
  v->addWidget(split, 1);
  status_ = new QLabel;
  status_->setObjectName("runsStatus");
  v->addWidget(status_);

  const RunStoreWorker* w = store_.worker();
  connect(w, &RunStoreWorker::listed, this, [this](QString path, std::vector<store::RunInfo> runs) {
    if (path != db_path_) return;  // an answer for a database no longer shown
    model_->setRows(std::move(runs));
    table_->resizeColumnsToContents();
    status_->setStyleSheet({});
    status_->setText(QString("%1 runs in %2").arg(model_->rowCount()).arg(db_path_));
    emit listed();
  });
  connect(w, &RunStoreWorker::runOpened, this, [this](RunDetail d) {
    detail_->setHtml(summary_html(d.summary));
    samples_model_->setRows(sample_rows(q(d.summary.run.spec.method), d.samples));
    samples_->resizeColumnsToContents();  // the question column takes what is left
    samples_->setColumnWidth(SampleTableModel::Prediction, std::min(samples_->columnWidth(SampleTableModel::Prediction), 260));
    opened_ = d.summary.run.id;
    emit runOpened(opened_);
  });
  connect(w, &RunStoreWorker::diffed, this, [this](store::RunDiff d) {
    detail_->setHtml(diff_html(d));
    emit diffed();
  });
  connect(w, &RunStoreWorker::exported, this, [this](qint64 id, QString path) {
    status_->setStyleSheet({});
    status_->setText(QString("run %1 exported to %2").arg(id).arg(path));
    emit exported(path);
  });
  connect(w, &RunStoreWorker::removed, this, [this](qint64 id) {
    if (opened_ == id) opened_ = 0, detail_->clear(), samples_model_->setRows({});
    emit deleted(id);
  });
  connect(w, &RunStoreWorker::failed, this, [this](QString m) {
    showError(m);
    emit failed(m);
  });

  connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
  connect(refresh_b, &QPushButton::clicked, this, &RunsView::refresh);
  connect(open_b, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (!ids.empty()) openRun(ids.front());
  });
  connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& i) {
    openRun(model_->runId(proxy_->mapToSource(i).row()));
  });
  connect(diff_b, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() != 2) return showError("select exactly two runs to diff");
    diffRuns(ids[0], ids[1]);
  });
  connect(csv_b, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.empty()) return showError("select a run to export");
    QString p = QFileDialog::getSaveFileName(this, "Export run as CSV", QString("run-%1.csv").arg(ids.front()),
                                             "CSV (*.csv)");
    if (!p.isEmpty()) exportCsv(ids.front(), p);
  });
  connect(del_b, &QPushButton::clicked, this, [this] {
    for (int64_t id : selectedRunIds()) deleteRun(id, true);
  });
}

RunsView::~RunsView() = default;

void RunsView::showError(const QString& text) {
  status_->setStyleSheet("QLabel { color: #b00020; }");
  status_->setText(text);
}

void RunsView::setDatabase(const QString& path, bool create) {
  db_path_ = path;
  opened_ = 0;
  store_.post([path, create](RunStoreWorker& w) { w.open(path, create); });
}

void RunsView::refresh() {
  store_.post([](RunStoreWorker& w) { w.list(); });
}

std::vector<int64_t> RunsView::selectedRunIds() const {
  std::vector<int64_t> ids;
  for (const QModelIndex& i : table_->selectionModel()->selectedRows())
    ids.push_back(model_->runId(proxy_->mapToSource(i).row()));
  return ids;
}

void RunsView::openRun(int64_t id) {
  store_.post([id](RunStoreWorker& w) { w.openRun(id); });
}

void RunsView::diffRuns(int64_t a, int64_t b) {
  store_.post([a, b](RunStoreWorker& w) { w.diff(a, b); });
}

void RunsView::exportCsv(int64_t id, const QString& path) {
  store_.post([id, path](RunStoreWorker& w) { w.exportCsv(id, path); });
}

void RunsView::deleteRun(int64_t id, bool confirm) {
  if (confirm && QMessageBox::question(this, "Delete run", QString("Delete run %1 and all its samples?").arg(id)) !=
                     QMessageBox::Yes)
    return;
  store_.post([id](RunStoreWorker& w) { w.remove(id); });
}

}  // namespace dpn::views

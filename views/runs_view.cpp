// Runs view: reads the store on demand (small queries), never writes except delete.
#include "views/runs_view.h"

#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "views/figures/figure.h"
#include "views/run_list_model.h"

namespace dpn::views {

RunsView::RunsView(QWidget* parent) : QWidget(parent) {
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
  samples_ = new QTableWidget(0, 5);
  samples_->setObjectName("runSamples");
  samples_->setHorizontalHeaderLabels({"sample", "family", "prediction", "answer", "score"});
  samples_->horizontalHeader()->setStretchLastSection(true);
  samples_->verticalHeader()->hide();
  samples_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  samples_->setWordWrap(false);
  bottom->addWidget(samples_);
  split->addWidget(bottom);
  v->addWidget(split, 1);
  status_ = new QLabel;
  status_->setObjectName("runsStatus");
  v->addWidget(status_);

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

void RunsView::showError(const QString& text) {
  status_->setStyleSheet("QLabel { color: #b00020; }");
  status_->setText(text);
}

void RunsView::setDatabase(const QString& path) {
  db_path_ = path;
  try {
    store_ = std::make_unique<store::RunStore>(path.toStdString());
    refresh();
  } catch (const std::exception& e) {
    store_.reset();
    model_->setRuns({});
    showError(e.what());
  }
}

void RunsView::refresh() {
  if (!store_) return;
  try {
    model_->setRuns(store_->list_runs());
    table_->resizeColumnsToContents();
    status_->setStyleSheet({});
    status_->setText(QString("%1 runs in %2").arg(model_->rowCount()).arg(db_path_));
  } catch (const std::exception& e) {
    showError(e.what());
  }
}

std::vector<int64_t> RunsView::selectedRunIds() const {
  std::vector<int64_t> ids;
  for (const QModelIndex& i : table_->selectionModel()->selectedRows())
    ids.push_back(model_->runId(proxy_->mapToSource(i).row()));
  return ids;
}

void RunsView::openRun(int64_t id) {
  if (!store_) return;
  try {
    store::RunSummary s = store_->run_summary(id);
    QString html = QString("<h3>Run %1: %2 on %3</h3><p>model <b>%4</b> &middot; %5 %6 &middot; %7 &middot; %8</p>"
                           "<p>%9 samples &middot; accuracy <b>%10 %</b> &middot; mean score %11 &middot; "
                           "latency %12 ms &middot; LLM FLOPs %13</p>")
                       .arg(id).arg(QString::fromStdString(s.run.spec.method), QString::fromStdString(s.run.spec.dataset_name),
                            QString::fromStdString(s.run.spec.model_name), QString::fromStdString(s.run.spec.dtype),
                            QString::fromStdString(s.run.spec.device), QString::fromStdString(s.run.created_at),
                            QString::fromStdString(s.run.status))
                       .arg(s.run.n_samples).arg(s.accuracy * 100, 0, 'f', 1).arg(s.run.mean_score, 0, 'f', 3)
                       .arg(s.mean_latency_ms, 0, 'f', 1).arg(format_flops(s.mean_flops_llm));
    html += "<table border=1 cellspacing=0 cellpadding=3><tr><th>family</th><th>n</th><th>accuracy</th></tr>";
    for (const auto& f : s.families)
      html += QString("<tr><td>%1</td><td>%2</td><td>%3 %</td></tr>").arg(QString::fromStdString(f.family)).arg(f.n)
                  .arg(f.accuracy * 100, 0, 'f', 1);
    detail_->setHtml(html + "</table>");
    auto samples = store_->samples(id, false);
    samples_->setRowCount(int(samples.size()));
    for (size_t i = 0; i < samples.size(); ++i) {
      const auto& r = samples[i];
      QStringList c = {QString::fromStdString(r.sample_id), QString::fromStdString(r.family),
                       QString::fromStdString(r.prediction), QString::fromStdString(r.answer),
                       QString::number(r.score, 'f', 2)};
      for (int k = 0; k < c.size(); ++k) samples_->setItem(int(i), k, new QTableWidgetItem(c[k]));
    }
    opened_ = id;
  } catch (const std::exception& e) {
    showError(e.what());
  }
}

void RunsView::diffRuns(int64_t a, int64_t b) {
  if (!store_) return;
  try {
    store::RunDiff d = store_->diff_runs(a, b);
    QString html = QString("<h3>Run %1 vs run %2</h3><p>%3 common samples (%4 only in A, %5 only in B)</p>"
                           "<p>mean score A %6 &middot; B %7 &middot; %8 predictions changed: %9 fixed, %10 broken</p>")
                       .arg(a).arg(b).arg(d.common).arg(d.only_a).arg(d.only_b).arg(d.mean_score_a, 0, 'f', 3)
                       .arg(d.mean_score_b, 0, 'f', 3).arg(d.changed_predictions).arg(d.fixed).arg(d.broken);
    html += "<table border=1 cellspacing=0 cellpadding=3><tr><th>sample</th><th>A</th><th>B</th></tr>";
    for (const auto& c : d.changed)
      html += QString("<tr><td>%1</td><td>%2 (%3)</td><td>%4 (%5)</td></tr>")
                  .arg(QString::fromStdString(c.sample_id), QString::fromStdString(c.prediction_a).toHtmlEscaped())
                  .arg(c.score_a).arg(QString::fromStdString(c.prediction_b).toHtmlEscaped()).arg(c.score_b);
    detail_->setHtml(html + "</table>");
  } catch (const std::exception& e) {
    showError(e.what());
  }
}

bool RunsView::exportCsv(int64_t id, const QString& path) {
  if (!store_) return false;
  try {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) throw std::runtime_error((path + ": cannot write").toStdString());
    f.write(QByteArray::fromStdString(store_->export_csv(id)));
    status_->setText(QString("run %1 exported to %2").arg(id).arg(path));
    return true;
  } catch (const std::exception& e) {
    showError(e.what());
    return false;
  }
}

bool RunsView::deleteRun(int64_t id, bool confirm) {
  if (!store_) return false;
  if (confirm && QMessageBox::question(this, "Delete run", QString("Delete run %1 and all its samples?").arg(id)) !=
                     QMessageBox::Yes)
    return false;
  try {
    store_->delete_run(id);
    if (opened_ == id) opened_ = 0, detail_->clear(), samples_->setRowCount(0);
    refresh();
    return true;
  } catch (const std::exception& e) {
    showError(e.what());
    return false;
  }
}

}  // namespace dpn::views

// Compare view: queues one request per method on the worker and fills a row as each finishes.
#include "views/compare_view.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "views/compare_table_model.h"

#include "views/figure_widget.h"
#include "views/figures/depth_curve_figure.h"
#include "views/figures/token_map_figure.h"

namespace dpn::views {

CompareView::CompareView(Session* session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* v = new QVBoxLayout(this);
  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel("Methods"));
  methods_ = new QLineEdit("none; static:1=2; fastv:k=2,r=0.5");
  methods_->setObjectName("compareMethods");
  methods_->setToolTip("methods separated by ';' (the Explore image and question are used)");
  row->addWidget(methods_, 1);
  run_ = new QPushButton("Compare");
  run_->setObjectName("compareRun");
  cancel_ = new QPushButton("Cancel");
  cancel_->setEnabled(false);
  row->addWidget(run_);
  row->addWidget(cancel_);
  v->addLayout(row);
  input_label_ = new QLabel("open an image and a question in Explore");
  input_label_->setObjectName("compareInput");
  v->addWidget(input_label_);
  auto* split = new QSplitter(Qt::Vertical);
  model_ = new CompareTableModel(this);
  table_ = new QTableView;
  table_->setObjectName("compareTable");
  table_->setModel(model_);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(CompareTableModel::Answer, QHeaderView::Stretch);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  split->addWidget(table_);
  auto* figs = new QWidget;
  auto* fh = new QHBoxLayout(figs);
  depth_ = new FigureWidget;
  depth_->setObjectName("depthCurves");
  fh->addWidget(depth_, 1);
  auto* right = new QWidget;
  auto* rv = new QVBoxLayout(right);
  maps_ = new FigureWidget;
  maps_->setObjectName("alignedMaps");
  rv->addWidget(maps_, 1);
  auto* lrow = new QHBoxLayout;
  lrow->addWidget(new QLabel("Layer (all methods)"));
  layer_slider_ = new QSlider(Qt::Horizontal);
  layer_slider_->setObjectName("compareLayer");
  layer_slider_->setRange(0, 0);
  lrow->addWidget(layer_slider_, 1);
  rv->addLayout(lrow);
  fh->addWidget(right, 1);
  split->addWidget(figs);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 3);
  v->addWidget(split, 1);

  connect(run_, &QPushButton::clicked, this, &CompareView::run);
  connect(cancel_, &QPushButton::clicked, this, &CompareView::cancel);
  connect(layer_slider_, &QSlider::valueChanged, this, &CompareView::setLayer);
  auto finish_one = [this](int id, const AskResult* r, const QString& error) {
    auto it = std::find(requests_.begin(), requests_.end(), id);
    if (it == requests_.end() || id == 0) return;
    const int row = int(it - requests_.begin());
    *it = 0;
    CompareRow done = model_->rows()[size_t(row)];
    if (r) done.doc.result = *r;
    done.doc.error = error;
    done.pending = false;
    model_->setRow(row, done);
    refreshFigures();
    if (std::all_of(requests_.begin(), requests_.end(), [](int x) { return x == 0; })) {
      run_->setEnabled(true);
      cancel_->setEnabled(false);
      setLayer(layer_slider_->maximum());  // the deepest layer shows the methods apart
      emit finished();
    }
  };
  connect(session_, &Session::answered, this, [finish_one](int id, AskResult r) { finish_one(id, &r, {}); });
  connect(session_, &Session::askFailed, this, [finish_one](int id, QString m) { finish_one(id, nullptr, m); });
}

void CompareView::setInput(const QString& model, const QString& image_path, const QImage& image,
                           const QString& question) {
  model_name_ = model, image_path_ = image_path, image_ = image, question_ = question;
  input_label_->setText(QString("%1 \u00b7 %2 \u00b7 \u201c%3\u201d").arg(model, QFileInfo(image_path).fileName(),
                                                                          question.simplified()));
}

void CompareView::setMethods(const QStringList& methods) { methods_->setText(methods.join("; ")); }

QStringList CompareView::methods() const {
  QStringList out;
  for (const QString& m : methods_->text().split(';', Qt::SkipEmptyParts))
    if (!m.trimmed().isEmpty()) out << m.trimmed();
  return out;
}

void CompareView::run() {
  if (std::any_of(requests_.begin(), requests_.end(), [](int x) { return x != 0; })) return;
  std::vector<CompareRow> rows;
  for (const QString& m : methods()) {
    RunDocument d;
    d.model = model_name_, d.image_path = image_path_, d.image = image_, d.question = question_, d.method = m;
    rows.push_back({d, true});
  }
  if (rows.empty()) return;
  model_->setRows(rows);
  requests_.clear();
  for (const CompareRow& row : rows) {
    AskOptions q;
    q.image_path = image_path_.toStdString();
    q.question = question_.toStdString();
    q.method = row.doc.method.toStdString();
    q.max_new_tokens = 32;
    requests_.push_back(session_->ask(q));
  }
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  refreshFigures();
}

std::vector<RunDocument> CompareView::documents() const {
  std::vector<RunDocument> docs;
  for (const CompareRow& r : model_->rows()) docs.push_back(r.doc);
  return docs;
}

void CompareView::cancel() { session_->cancel(); }

void CompareView::setLayer(int layer) {
  layer_ = std::max(0, layer);
  if (layer_slider_->value() != layer_) layer_slider_->setValue(layer_);
  maps_->setFigure(alignedMapsFigure());
}

Figure CompareView::depthFigure() const {
  std::vector<DepthSeries> series;
  for (const RunDocument& d : documents()) {
    if (!d.done()) continue;
    DepthSeries s{d.method, {}};
    for (const LayerTrace& l : d.result.trace.layers) s.visual.push_back(l.visual);
    series.push_back(s);
  }
  Figure f;
  f.paint = [series](QPainter& p, const QRectF& r) { paint_depth_curves(p, r, series); };
  f.size = QSizeF(600, 380);
  QStringList names;
  for (const auto& s : series) names << s.name;
  f.meta = {"visual tokens per layer", QString("model=%1; image=%2; question=%3; methods=%4")
                                           .arg(model_name_, QFileInfo(image_path_).fileName(), question_.simplified(),
                                                names.join(", "))};
  return f;
}

Figure CompareView::alignedMapsFigure() const {
  std::vector<RunDocument> done;
  for (const RunDocument& d : documents())
    if (d.done()) done.push_back(d);
  const int layer = layer_;
  Figure f;
  f.paint = [done, layer](QPainter& p, const QRectF& r) {
    if (done.empty()) {
      p.setPen(QColor(90, 90, 90));
      p.drawText(r, Qt::AlignCenter, "no finished runs");
      return;
    }
    const double w = r.width() / done.size();
    for (size_t i = 0; i < done.size(); ++i) {
      QRectF cell(r.left() + i * w + 3, r.top() + 16, w - 6, r.height() - 16);
      p.setPen(QColor(30, 30, 30));
      QFont font = p.font();
      font.setBold(true);
      font.setPointSizeF(9);
      p.setFont(font);
      p.drawText(QRectF(cell.left(), r.top(), cell.width(), 16), Qt::AlignCenter, done[i].method);
      font.setBold(false);
      p.setFont(font);
      const int n = int(done[i].result.trace.layers.size());
      paint_token_map(p, cell, done[i].image, done[i].result.trace, std::min(layer, n - 1), TokenMapStyle{});
    }
  };
  f.size = QSizeF(std::max<size_t>(1, done.size()) * 260.0, 300);
  f.meta = {QString("token maps at layer %1").arg(layer),
            QString("model=%1; image=%2; question=%3; layer=%4")
                .arg(model_name_, QFileInfo(image_path_).fileName(), question_.simplified()).arg(layer)};
  return f;
}

void CompareView::refreshFigures() {
  int layers = 0;
  for (const RunDocument& d : documents())
    if (d.done()) layers = std::max(layers, int(d.result.trace.layers.size()));
  layer_slider_->setRange(0, std::max(0, layers - 1));
  depth_->setFigure(depthFigure());
  maps_->setFigure(alignedMapsFigure());
}

}  // namespace dpn::views

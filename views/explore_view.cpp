// Explore view: inputs on the left, the run's per-layer figures on the right.
#include "views/explore_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "views/bundled_samples.h"
#include "views/figure_widget.h"
#include "views/figures/router_figure.h"
#include "views/figures/token_map_figure.h"
#include "views/figures/token_strip_figure.h"
#include "views/input_image.h"

namespace dpn::views {

namespace {
// Parameter hints per method, shown as the placeholder of the parameters box.
const char* params_hint(const QString& method) {
  if (method == "static") return "pooling per layer, e.g. 2=2,4=2x1";
  if (method == "fastv") return "k=2,r=0.5[,rank=last|mean]";
  if (method == "tokenpacker") return "tokens=144 (optional)";
  if (method == "dpn") return "forced path, e.g. path=7=2x2 (optional)";
  return "no parameters";
}
}  // namespace

ExploreView::ExploreView(Session* session, QWidget* parent) : QWidget(parent), session_(session) {
  setAcceptDrops(true);
  auto* split = new QSplitter(Qt::Horizontal, this);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(4, 4, 4, 4);
  outer->addWidget(split);

  // --- inputs ---
  auto* left = new QWidget;
  auto* lv = new QVBoxLayout(left);
  preview_ = new QLabel("drop an image here");
  preview_->setObjectName("imagePreview");
  preview_->setAlignment(Qt::AlignCenter);
  preview_->setMinimumSize(120, 120);
  preview_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);  // the pixmap follows the label, not the reverse
  preview_->setStyleSheet("QLabel { background: #f2f2f2; border: 1px solid #ccc; color: #666; }");
  lv->addWidget(preview_, 2);
  auto* img_row = new QHBoxLayout;
  samples_ = new QComboBox;
  samples_->setObjectName("samples");
  samples_->setToolTip("bundled sample images and questions");
  auto* open = new QPushButton("Open image\u2026");
  img_row->addWidget(samples_, 1);
  img_row->addWidget(open);
  lv->addLayout(img_row);
  question_ = new QPlainTextEdit;
  question_->setObjectName("question");
  question_->setPlaceholderText("Ask a question about the image");
  question_->setMaximumHeight(80);
  lv->addWidget(question_);
  auto* form = new QFormLayout;
  method_ = new QComboBox;
  method_->setObjectName("method");
  method_->addItems({"none", "dpn", "static", "fastv", "tokenpacker"});
  params_ = new QLineEdit;
  params_->setObjectName("methodParams");
  auto* mrow = new QHBoxLayout;
  mrow->addWidget(method_);
  mrow->addWidget(params_, 1);
  form->addRow("Method", mrow);
  max_tokens_ = new QSpinBox;
  max_tokens_->setObjectName("maxTokens");
  max_tokens_->setRange(1, 1024);
  max_tokens_->setValue(32);
  trace_attention_ = new QCheckBox("record attention");
  trace_attention_->setObjectName("traceAttention");
  trace_attention_->setToolTip("record the attention each visual token receives (for the heatmap; slower)");
  auto* trow = new QHBoxLayout;
  trow->addWidget(max_tokens_);
  trow->addWidget(trace_attention_);
  trow->addStretch();
  form->addRow("Max tokens", trow);
  lv->addLayout(form);
  auto* brow = new QHBoxLayout;
  run_ = new QPushButton("Run");
  run_->setObjectName("run");
  run_->setToolTip("Run the question (Ctrl+Return)");
  run_->setDefault(true);
  cancel_ = new QPushButton("Cancel");
  cancel_->setObjectName("cancel");
  cancel_->setEnabled(false);
  brow->addWidget(run_);
  brow->addWidget(cancel_);
  lv->addLayout(brow);
  answer_ = new QTextBrowser;
  answer_->setObjectName("answer");
  answer_->setPlaceholderText("the answer streams in here");
  lv->addWidget(answer_, 1);
  status_ = new QLabel;
  status_->setObjectName("status");
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  lv->addWidget(status_);
  split->addWidget(left);

  // --- per-layer figures ---
  auto* right = new QWidget;
  auto* rv = new QVBoxLayout(right);
  auto* top = new QHBoxLayout;
  token_map_ = new FigureWidget;
  token_map_->setObjectName("tokenMap");
  token_map_->setMinimumSize(200, 200);
  top->addWidget(token_map_, 3);
  auto* routers_box = new QGroupBox("DPN routers (what-if)");
  auto* rb = new QVBoxLayout(routers_box);
  routers_ = new FigureWidget;
  routers_->setObjectName("routers");
  rb->addWidget(routers_, 1);
  override_box_ = new QWidget;
  override_layout_ = new QHBoxLayout(override_box_);
  override_layout_->setContentsMargins(0, 0, 0, 0);
  rb->addWidget(override_box_);
  what_if_ = new QPushButton("Re-run with these experts");
  what_if_->setObjectName("whatIf");
  what_if_->setEnabled(false);
  rb->addWidget(what_if_);
  top->addWidget(routers_box, 2);
  rv->addLayout(top, 3);
  auto* lrow = new QHBoxLayout;
  lrow->addWidget(new QLabel("Layer"));
  layer_slider_ = new QSlider(Qt::Horizontal);
  layer_slider_->setObjectName("layerSlider");
  layer_slider_->setRange(0, 0);
  layer_slider_->setToolTip("decoder layer (Ctrl+Right / Ctrl+Left)");
  lrow->addWidget(layer_slider_, 1);
  layer_label_ = new QLabel("-");
  layer_label_->setObjectName("layerLabel");
  layer_label_->setMinimumWidth(150);
  lrow->addWidget(layer_label_);
  heatmap_ = new QCheckBox("attention heatmap");
  heatmap_->setObjectName("heatmap");
  lrow->addWidget(heatmap_);
  rv->addLayout(lrow);
  strip_ = new FigureWidget;
  strip_->setObjectName("tokenStrip");
  strip_->setMinimumHeight(100);
  rv->addWidget(strip_, 2);
  split->addWidget(right);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 5);

  for (const BundledSample& b : bundled_samples())
    samples_->addItem(QFileInfo(b.image).fileName(), QStringList{b.image, b.question});
  connect(samples_, qOverload<int>(&QComboBox::activated), this, [this](int i) {
    const QStringList s = samples_->itemData(i).toStringList();
    if (s.size() != 2) return;
    setImage(s[0]);
    if (!s[1].isEmpty()) setQuestion(s[1]);  // an opened image brings no question
  });
  connect(open, &QPushButton::clicked, this, [this] {
    QString p = QFileDialog::getOpenFileName(this, "Open image", QFileInfo(image_path_).absolutePath(),
                                             "Images (*.png *.jpg *.jpeg *.bmp *.webp)");
    if (!p.isEmpty()) setImage(p);
  });
  connect(method_, &QComboBox::currentTextChanged, this, [this] { updateParamsHint(); });
  updateParamsHint();
  connect(run_, &QPushButton::clicked, this, &ExploreView::run);
  connect(cancel_, &QPushButton::clicked, this, &ExploreView::cancel);
  connect(what_if_, &QPushButton::clicked, this, &ExploreView::runWhatIf);
  connect(layer_slider_, &QSlider::valueChanged, this, &ExploreView::setLayer);
  connect(heatmap_, &QCheckBox::toggled, this, [this] { refreshFigures(); });
  connect(strip_, &FigureWidget::clicked, this, [this](QPointF pos, QSizeF size) {
    int hit = token_strip_hit(QRectF(QPointF(0, 0), size), int(doc_.result.trace.layers.size()), pos);
    if (hit >= 0) setLayer(hit);
  });

  connect(session_, &Session::partial, this, [this](int id, QString text) {
    if (id == request_) answer_->setPlainText(text);
  });
  connect(session_, &Session::answered, this, [this](int id, AskResult r) {
    if (id != request_) return;
    request_ = 0;
    doc_ = pending_;
    doc_.result = std::move(r);
    answer_->setPlainText(QString::fromStdString(doc_.result.answer));
    const Timing& t = doc_.result.timing;
    setStatus(QString("%1 visual tokens \u00b7 prompt %2 tokens \u00b7 prefill %3 ms \u00b7 decode %4 ms (%5 tokens) \u00b7 %6")
                  .arg(doc_.result.visual_tokens).arg(doc_.result.prompt_tokens)
                  .arg(t.prefill_ms, 0, 'f', 1).arg(t.decode_ms, 0, 'f', 1).arg(t.decode_steps)
                  .arg(QString::fromStdString(doc_.result.stop_reason)), false);
    layer_slider_->setRange(0, std::max(0, int(doc_.result.trace.layers.size()) - 1));
    rebuildOverrides();
    setLayer(std::min(layer_, layer_slider_->maximum()));
    refreshFigures();
    run_->setEnabled(true);
    cancel_->setEnabled(false);
    emit runFinished(doc_);
  });
  connect(session_, &Session::askFailed, this, [this](int id, QString message) {
    if (id != request_) return;
    request_ = 0;
    setStatus(message, true);
    run_->setEnabled(true);
    cancel_->setEnabled(false);
    emit runFailed(message);
  });
}

void ExploreView::updateParamsHint() {
  params_->setPlaceholderText(params_hint(method_->currentText()));
  params_->setEnabled(method_->currentText() != "none");
}

void ExploreView::setStatus(const QString& text, bool error) {
  status_->setStyleSheet(error ? "QLabel { color: #b00020; }" : "QLabel { color: #333; }");
  status_->setText(text);
}

void ExploreView::setImage(const QString& path) {
  QString error;
  QImage img = load_input_image(path, &error);
  if (img.isNull()) {
    setStatus(QString("%1: cannot read the image (%2)").arg(path, error), true);
    return;
  }
  image_path_ = path;
  image_ = img;
  showImageInCombo(path);
  updatePreview();
  preview_->setToolTip(QString("%1 (%2x%3, as the model sees it: EXIF orientation not applied)")
                           .arg(path).arg(img.width()).arg(img.height()));
  setStatus(QString("%1 (%2x%3 px)").arg(QFileInfo(path).fileName()).arg(img.width()).arg(img.height()), false);
  emit imageOpened(path);
}

void ExploreView::showImageInCombo(const QString& path) {
  const QString canonical = QFileInfo(path).canonicalFilePath();
  int opened = -1;  // the entry of an image that is not a bundled sample (the last one opened)
  for (int i = 0; i < samples_->count(); ++i) {
    const QStringList s = samples_->itemData(i).toStringList();
    if (s.size() == 2 && QFileInfo(s[0]).canonicalFilePath() == canonical && !s[1].isEmpty())
      return samples_->setCurrentIndex(i);
    if (s.size() == 2 && s[1].isEmpty()) opened = i;
  }
  if (opened < 0) {
    samples_->addItem(QString());
    opened = samples_->count() - 1;
  }
  samples_->setItemText(opened, QFileInfo(path).fileName());
  samples_->setItemData(opened, QStringList{path, QString()});
  samples_->setItemData(opened, path, Qt::ToolTipRole);
  samples_->setCurrentIndex(opened);
}

void ExploreView::setQuestion(const QString& q) { question_->setPlainText(q); }
QString ExploreView::question() const { return question_->toPlainText(); }

void ExploreView::setMethod(const QString& method) {
  const int colon = method.indexOf(':');
  method_->setCurrentText(colon < 0 ? method : method.left(colon));
  params_->setText(colon < 0 ? QString() : method.mid(colon + 1));
}

QString ExploreView::methodText() const {
  QString m = method_->currentText(), p = params_->text().trimmed();
  return p.isEmpty() || m == "none" ? m : m + ":" + p;
}

void ExploreView::run() { start({}); }

void ExploreView::runWhatIf() {
  std::vector<std::pair<int, int>> o;
  for (const auto& [layer, combo] : override_combos_)
    if (combo->currentIndex() > 0) o.push_back({layer, combo->currentIndex() - 1});
  start(o);
}

void ExploreView::setOverride(int layer, int expert) {
  auto it = override_combos_.find(layer);
  if (it != override_combos_.end()) it->second->setCurrentIndex(expert + 1);
}

void ExploreView::cancel() {
  if (request_) session_->cancel();
}

void ExploreView::start(const std::vector<std::pair<int, int>>& overrides) {
  if (request_) return;
  const QString missing = image_path_.isEmpty() ? "open or drop an image first"
                          : question().trimmed().isEmpty() ? "type a question first" : QString();
  if (!missing.isEmpty()) {
    setStatus(missing, true);
    return emit runFailed(missing);
  }
  pending_ = RunDocument{};
  pending_.model = model_name_;
  pending_.image_path = image_path_;
  pending_.question = question();
  pending_.method = methodText();
  pending_.overrides = overrides;
  pending_.image = image_;
  AskOptions q;
  q.image_path = image_path_.toStdString();
  q.question = question().toStdString();
  q.method = methodText().toStdString();
  q.overrides = overrides;
  q.max_new_tokens = max_tokens_->value();
  q.trace_attention = trace_attention_->isChecked();
  answer_->clear();
  setStatus(overrides.empty() ? "running\u2026" : "running the what-if\u2026", false);
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  request_ = session_->ask(q);
}

void ExploreView::rebuildOverrides() {
  override_combos_.clear();  // the combos are deleted with the layout items below
  while (QLayoutItem* item = override_layout_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  for (const RouterTrace& r : doc_.result.trace.routers) {
    override_layout_->addWidget(new QLabel(QString("L%1").arg(r.layer)));
    auto* c = new QComboBox;
    c->setObjectName(QString("override_%1").arg(r.layer));
    c->addItem("router");
    for (size_t e = 0; e < r.probs.size(); ++e)
      c->addItem(e < r.experts.size() ? QString("%1x%2").arg(r.experts[e].first).arg(r.experts[e].second)
                                      : QString("expert %1").arg(e));
    for (const auto& [layer, expert] : doc_.overrides)
      if (layer == r.layer) c->setCurrentIndex(expert + 1);
    override_layout_->addWidget(c);
    override_combos_[r.layer] = c;
  }
  override_layout_->addStretch();
  what_if_->setEnabled(!override_combos_.empty());
}

void ExploreView::setLayer(int index) {
  const int n = int(doc_.result.trace.layers.size());
  if (n == 0) return;
  index = std::clamp(index, 0, n - 1);
  layer_ = index;
  if (layer_slider_->value() != index) layer_slider_->setValue(index);
  const LayerTrace& l = doc_.result.trace.layers[index];
  layer_label_->setText(QString("layer %1 \u00b7 %2 tokens").arg(l.layer).arg(layer_caption(l)));
  refreshFigures();
}

Figure ExploreView::tokenMapFigure() const {
  Figure f;
  RunDocument d = doc_;
  const int layer = layer_;
  TokenMapStyle style;
  style.heatmap = heatmap_->isChecked();
  f.paint = [d, layer, style](QPainter& p, const QRectF& r) {
    paint_token_map(p, r, d.image, d.result.trace, layer, style);
  };
  f.size = QSizeF(520, 540);
  const int shown = layer < int(d.result.trace.layers.size()) ? d.result.trace.layers[layer].layer : layer;
  f.meta = {QString("token map - layer %1").arg(shown), d.describe() + QString("; layer=%1").arg(shown)};
  return f;
}

Figure ExploreView::tokenStripFigure() const {
  Figure f;
  RunDocument d = doc_;
  const int layer = layer_;
  f.paint = [d, layer](QPainter& p, const QRectF& r) { paint_token_strip(p, r, d.image, d.result.trace, layer); };
  const int n = std::max<int>(1, int(d.result.trace.layers.size()));
  f.size = QSizeF(std::min(n, 8) * 110.0, ((n + 7) / 8) * 124.0);
  f.meta = {"token pyramid", d.describe()};
  return f;
}

Figure ExploreView::routerFigure() const {
  Figure f;
  auto routers = doc_.result.trace.routers;
  f.paint = [routers](QPainter& p, const QRectF& r) { paint_routers(p, r, routers); };
  f.size = QSizeF(std::max<size_t>(1, routers.size()) * 200.0, 260);
  f.meta = {"DPN router probabilities", doc_.describe()};
  return f;
}

void ExploreView::refreshFigures() {
  token_map_->setFigure(tokenMapFigure());
  strip_->setFigure(tokenStripFigure());
  routers_->setFigure(routerFigure());
}

void ExploreView::updatePreview() {
  if (image_.isNull()) return;
  preview_->setPixmap(QPixmap::fromImage(
      image_.scaled(preview_->size() - QSize(8, 8), Qt::KeepAspectRatio, Qt::SmoothTransformation)));
}

void ExploreView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  updatePreview();
}

void ExploreView::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void ExploreView::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (!urls.isEmpty() && urls.first().isLocalFile()) setImage(urls.first().toLocalFile());
}

}  // namespace dpn::views

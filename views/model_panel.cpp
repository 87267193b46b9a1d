// Model panel: the form, the load request and the facts of the loaded model.
#include "views/model_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "io/convert.h"

namespace dpn::views {

QStringList ModelPanel::builtinModels() {
  QDir dir(QString::fromStdString(resources_dir()) + "/models");
  return dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

QString ModelPanel::defaultModel() {
  QStringList names = builtinModels();
  if (names.contains("demo-dpn")) return "demo-dpn";
  return names.isEmpty() ? QString() : names.first();
}

ModelPanel::ModelPanel(Session* session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* v = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  builtin_ = new QComboBox;
  builtin_->setObjectName("builtinModel");
  builtin_->addItem("(checkpoint folder below)");
  builtin_->addItems(builtinModels());
  form->addRow("Built-in model", builtin_);
  auto* prow = new QHBoxLayout;
  path_ = new QLineEdit;
  path_->setObjectName("modelPath");
  path_->setPlaceholderText("LLaVA checkpoint folder (llava-hf or original layout)");
  auto* browse = new QPushButton("Browse\u2026");
  prow->addWidget(path_, 1);
  prow->addWidget(browse);
  form->addRow("Checkpoint", prow);
  vision_ = new QLineEdit;
  vision_->setPlaceholderText("original layout only: CLIP folder overriding mm_vision_tower");
  form->addRow("Vision tower", vision_);
  device_ = new QComboBox;
  device_->setObjectName("device");
  device_->addItems({"cpu", "cuda"});
  dtype_ = new QComboBox;
  dtype_->setObjectName("dtype");
  dtype_->addItems({"f32", "bf16"});
  auto* drow = new QHBoxLayout;
  drow->addWidget(device_);
  drow->addWidget(dtype_);
  drow->addStretch();
  form->addRow("Device / dtype", drow);
  v->addLayout(form);
  load_ = new QPushButton("Load model");
  load_->setObjectName("loadModel");
  v->addWidget(load_, 0, Qt::AlignLeft);
  offer_ = new QFrame;
  offer_->setObjectName("convertOffer");
  offer_->setFrameShape(QFrame::StyledPanel);
  offer_->setStyleSheet("#convertOffer { background: #fff8e1; }");
  auto* ob = new QHBoxLayout(offer_);
  offer_text_ = new QLabel;
  offer_text_->setWordWrap(true);
  ob->addWidget(offer_text_, 1);
  auto* convert_b = new QPushButton("Convert and open");
  convert_b->setObjectName("convertAndOpen");
  auto* as_is_b = new QPushButton("Open as is");
  as_is_b->setObjectName("openAsIs");
  auto* no_b = new QPushButton("Cancel");
  ob->addWidget(convert_b);
  ob->addWidget(as_is_b);
  ob->addWidget(no_b);
  offer_->hide();
  v->addWidget(offer_);
  convert_progress_ = new QProgressBar;
  convert_progress_->setObjectName("convertProgress");
  convert_progress_->setRange(0, 1000);
  convert_progress_->setFormat("converting to safetensors\u2026 %p%");
  convert_progress_->hide();
  v->addWidget(convert_progress_);
  facts_ = new QLabel("no model loaded");
  facts_->setObjectName("modelFacts");
  facts_->setTextFormat(Qt::RichText);
  facts_->setWordWrap(true);
  facts_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  facts_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  v->addWidget(facts_, 1);

  connect(browse, &QPushButton::clicked, this, [this] {
    QString d = QFileDialog::getExistingDirectory(this, "Open checkpoint folder", path_->text());
    if (!d.isEmpty()) path_->setText(d), builtin_->setCurrentIndex(0);
  });
  connect(builtin_, qOverload<int>(&QComboBox::activated), this, [this](int i) {
    if (i > 0) path_->clear();
  });
  connect(load_, &QPushButton::clicked, this, &ModelPanel::loadFromForm);
  connect(convert_b, &QPushButton::clicked, this, [this] {
    offer_->hide();
    convert(path_->text());
  });
  connect(as_is_b, &QPushButton::clicked, this, [this] {
    offer_->hide();
    startLoad();
  });
  connect(no_b, &QPushButton::clicked, offer_, &QWidget::hide);
  connect(session_, &Session::convertProgress, convert_progress_, &QProgressBar::setValue);
  connect(session_, &Session::converted, this, [this](QString out) {
    converting_.clear();
    convert_progress_->hide();
    load_->setEnabled(true);
    path_->setText(out);
    startLoad();
  });
  connect(session_, &Session::convertFailed, this, [this](QString m) {
    converting_.clear();
    convert_progress_->hide();
    load_->setEnabled(true);
    facts_->setText("<span style='color:#b00020'>conversion failed: " + m.toHtmlEscaped() + "</span>");
  });
  connect(session_, &Session::modelLoaded, this, [this](ModelInfo i, double ms) {
    load_->setEnabled(true);
    QString dpe;
    for (int l : i.dpe_layers) dpe += QString::number(l) + " ";
    facts_->setText(QString("<h3>%1</h3><table cellpadding=2>"
                            "<tr><td>folder</td><td>%2</td></tr><tr><td>layout</td><td>%3</td></tr>"
                            "<tr><td>device / dtype</td><td>%4 / %5</td></tr>"
                            "<tr><td>decoder</td><td>%6 layers, hidden %7, %8 heads (%9 KV), vocab %10</td></tr>"
                            "<tr><td>vision</td><td>%11 px, patch %12, grid %13x%13, %14 layers</td></tr>"
                            "<tr><td>DPE layers</td><td>%15</td></tr><tr><td>parameters</td><td>%16</td></tr>"
                            "<tr><td>load time</td><td>%17 ms</td></tr></table>")
                        .arg(loading_, QString::fromStdString(i.path).toHtmlEscaped(), QString::fromStdString(i.layout),
                             QString::fromStdString(i.device), QString::fromStdString(i.dtype))
                        .arg(i.llm_layers).arg(i.hidden).arg(i.heads).arg(i.kv_heads).arg(i.vocab)
                        .arg(i.image_size).arg(i.patch_size).arg(i.grid).arg(i.vision_layers)
                        .arg(dpe.isEmpty() ? QString("none (not a DPN checkpoint)") : dpe)
                        .arg(QLocale().toString(qlonglong(i.parameters))).arg(ms, 0, 'f', 0));
    emit loaded(loading_, i);
  });
  connect(session_, &Session::modelFailed, this, [this](QString m) {
    load_->setEnabled(true);
    facts_->setText("<span style='color:#b00020'>could not load the model: " + m.toHtmlEscaped() + "</span>");
  });
}

QString ModelPanel::modelName() const {
  if (builtin_->currentIndex() > 0) return builtin_->currentText();
  return QFileInfo(path_->text()).fileName();
}

ModelOptions ModelPanel::options() const {
  ModelOptions o;
  o.path = builtin_->currentIndex() > 0 ? builtin_->currentText().toStdString() : path_->text().toStdString();
  o.vision_tower = vision_->text().toStdString();
  o.device = device_->currentText().toStdString();
  o.dtype = dtype_->currentText().toStdString();
  return o;
}

void ModelPanel::load(const QString& name_or_path, const QString& vision_tower) {
  vision_->setText(vision_tower);
  const int i = builtin_->findText(name_or_path);
  if (i > 0) {
    builtin_->setCurrentIndex(i);
    path_->clear();
  } else {
    builtin_->setCurrentIndex(0);
    path_->setText(name_or_path);
  }
  loadFromForm();
}

bool ModelPanel::isPickleCheckpoint(const QString& dir) {
  QDir d(dir);
  if (!d.exists()) return false;
  return d.entryList({"*.safetensors"}, QDir::Files).isEmpty() && !d.entryList({"pytorch_model*.bin", "*.bin"}, QDir::Files).isEmpty();
}

void ModelPanel::convert(const QString& dir) {
  converting_ = dir;
  load_->setEnabled(false);
  convert_progress_->setValue(0);
  convert_progress_->show();
  facts_->setText("converting " + QFileInfo(dir).fileName().toHtmlEscaped() + " to safetensors\u2026");
  session_->convertCheckpoint(dir, QString::fromStdString(dpn::default_convert_out_dir(dir.toStdString())));
}

void ModelPanel::loadFromForm() {
  offer_->hide();
  if (!converting_.isEmpty()) return;
  // PyTorch pickles: offer the one-time conversion (an existing converted copy is reused).
  if (builtin_->currentIndex() == 0 && isPickleCheckpoint(path_->text())) {
    const QString dir = path_->text();
    const QString copy = QString::fromStdString(dpn::default_convert_out_dir(dir.toStdString()));
    if (QDir(copy).exists() && !QDir(copy).entryList({"*.safetensors"}, QDir::Files).isEmpty()) {
      path_->setText(copy);  // converted earlier: open the copy
    } else if (convert_policy_ == ConvertPolicy::Convert) {
      return convert(dir);
    } else if (convert_policy_ == ConvertPolicy::Ask) {
      offer_text_->setText(QFileInfo(dir).fileName().toHtmlEscaped() +
                           " stores its weights as PyTorch pickles (*.bin). DPN Studio reads them safely (nothing in "
                           "them is executed), but a one-time conversion to safetensors beside it (" +
                           QFileInfo(copy).fileName().toHtmlEscaped() + ") opens faster and without copies.");
      offer_->show();
      emit convertOffered(dir);
      return;
    }
  }
  startLoad();
}

void ModelPanel::startLoad() {
  loading_ = modelName();
  load_->setEnabled(false);
  facts_->setText("loading " + loading_.toHtmlEscaped() + "\u2026");
  session_->loadModel(options());
}

}  // namespace dpn::views

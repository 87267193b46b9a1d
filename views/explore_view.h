// Explore: one image, one question, one method; the answer streams in, beside it the per-layer token map, the
// pyramid strip, the attention heatmap and the DPN routers with a what-if override.
#pragma once
#include <QWidget>
#include <map>

#include "views/figures/figure.h"
#include "views/run_document.h"
#include "views/session.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSlider;
class QSpinBox;
class QTextBrowser;
class QHBoxLayout;

namespace dpn::views {

class FigureWidget;

class ExploreView : public QWidget {
  Q_OBJECT
 public:
  explicit ExploreView(Session* session, QWidget* parent = nullptr);

  void setImage(const QString& path);        // errors (unreadable image) are shown in the status line
  void setQuestion(const QString& question);
  void setMethod(const QString& method);     // "fastv:k=2,r=0.5" selects fastv and fills the parameters
  QString methodText() const;
  QString imagePath() const { return image_path_; }
  const QImage& image() const { return image_; }  // decoded as the model decodes it (views/input_image.h)
  QString question() const;
  QString modelName() const { return model_name_; }
  void setModelName(const QString& name) { model_name_ = name; }

  void run();                                // asks with the current inputs (and no overrides)
  void runWhatIf();                          // asks again forcing the experts chosen in the override boxes
  void cancel();
  void setLayer(int index);                  // index into the trace's layers
  int layer() const { return layer_; }
  void nextLayer() { setLayer(layer_ + 1); }
  void previousLayer() { setLayer(layer_ - 1); }
  // Sets the override box of DPE layer `layer` to expert `expert` (what the user does before "what-if").
  void setOverride(int layer, int expert);

  const RunDocument& document() const { return doc_; }
  Figure tokenMapFigure() const;
  Figure tokenStripFigure() const;
  Figure routerFigure() const;

 signals:
  void runFinished(const dpn::views::RunDocument& doc);
  void runFailed(QString message);  // the engine's error, or why the run could not start
  void imageOpened(QString path);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void start(const std::vector<std::pair<int, int>>& overrides);
  void refreshFigures();
  void rebuildOverrides();
  void setStatus(const QString& text, bool error);
  void updateParamsHint();
  void updatePreview();
  void showImageInCombo(const QString& path);  // the sample's entry, or an entry naming the opened file

  Session* session_;
  QString model_name_;
  QString image_path_;
  QImage image_;
  RunDocument doc_;
  RunDocument pending_;
  int request_ = 0;
  int layer_ = 0;

  QLabel* preview_;
  QComboBox* samples_;
  QPlainTextEdit* question_;
  QComboBox* method_;
  QLineEdit* params_;
  QSpinBox* max_tokens_;
  QCheckBox* trace_attention_;
  QPushButton* run_;
  QPushButton* cancel_;
  QTextBrowser* answer_;
  QLabel* status_;
  FigureWidget* token_map_;
  QSlider* layer_slider_;
  QLabel* layer_label_;
  QCheckBox* heatmap_;
  FigureWidget* strip_;
  FigureWidget* routers_;
  QWidget* override_box_;
  QHBoxLayout* override_layout_;
  std::map<int, QComboBox*> override_combos_;  // DPE layer -> expert choice
  QPushButton* what_if_;
};

}  // namespace dpn::views

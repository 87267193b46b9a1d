// Compare: one image and question through several methods side by side: answers, tokens-versus-depth curves,
// FLOPs and latency, and the token maps of every method at the same layer.
#pragma once
#include <QWidget>
#include <vector>

#include "views/figures/figure.h"
#include "views/run_document.h"
#include "views/session.h"

class QLineEdit;
class QPushButton;
class QSlider;
class QTableView;
class QLabel;

namespace dpn::views {

class CompareTableModel;
class FigureWidget;

class CompareView : public QWidget {
  Q_OBJECT
 public:
  explicit CompareView(Session* session, QWidget* parent = nullptr);
  // The image, question and model come from Explore.
  void setInput(const QString& model, const QString& image_path, const QImage& image, const QString& question);
  void setMethods(const QStringList& methods);
  QStringList methods() const;
  void run();
  void cancel();
  void setLayer(int layer);
  std::vector<RunDocument> documents() const;
  CompareTableModel* model() const { return model_; }
  Figure depthFigure() const;
  Figure alignedMapsFigure() const;

 signals:
  void finished();

 private:
  void refreshFigures();
  Session* session_;
  QString model_name_, image_path_, question_;
  QImage image_;
  CompareTableModel* model_;
  std::vector<int> requests_;  // per row: the pending request id, 0 once answered
  int layer_ = 0;
  QLineEdit* methods_;
  QPushButton* run_;
  QPushButton* cancel_;
  QLabel* input_label_;
  QTableView* table_;
  FigureWidget* depth_;
  FigureWidget* maps_;
  QSlider* layer_slider_;
};

}  // namespace dpn::views

// Model: pick a built-in model or a checkpoint folder (llava-hf or original LLaVA layout), device and dtype; load it
// on the worker; show its facts (layers, DPE layers and experts, parameter count).
#pragma once
#include <QWidget>

#include "views/session.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace dpn::views {

class ModelPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ModelPanel(Session* session, QWidget* parent = nullptr);
  // Built-in model names found under the resources' models/ folder.
  static QStringList builtinModels();
  // demo-dpn when bundled, else the first built-in model.
  static QString defaultModel();
  void load(const QString& name_or_path, const QString& vision_tower = {});  // fills the form and loads
  void loadFromForm();
  QString modelName() const;               // what the form names (built-in name or folder name)
  ModelOptions options() const;

 signals:
  void loaded(QString name, dpn::ModelInfo info);

 private:
  Session* session_;
  QComboBox* builtin_;
  QLineEdit* path_;
  QLineEdit* vision_;
  QComboBox* device_;
  QComboBox* dtype_;
  QPushButton* load_;
  QLabel* facts_;
  QString loading_;
};

}  // namespace dpn::views

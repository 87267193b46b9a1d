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

  // A folder of PyTorch pickles (*.bin) can be opened as is (our reader executes nothing) or converted once to
  // safetensors beside it (mmap, faster to open). Ask: a dialog offers both; tests answer it with a fixed policy.
  enum class ConvertPolicy { Ask, Convert, OpenAsIs };
  void setConvertPolicy(ConvertPolicy p) { convert_policy_ = p; }
  // True when `dir` holds *.bin weights and no *.safetensors.
  static bool isPickleCheckpoint(const QString& dir);

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
  ConvertPolicy convert_policy_ = ConvertPolicy::Ask;
  // Converts `dir` on a worker thread with a progress dialog; returns the converted folder, or empty on failure.
  QString convertWithProgress(const QString& dir);
};

}  // namespace dpn::views

// Model: pick a built-in model or a checkpoint folder (llava-hf or original LLaVA layout), device and dtype; load it
// on the worker; show its facts (layers, DPE layers and experts, parameter count).
#pragma once
#include <QWidget>

#include "views/session.h"

class QComboBox;
class QFrame;
class QLabel;
class QLineEdit;
class QProgressBar;
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
  // safetensors beside it (mmap, faster to open). Ask: a bar in the panel offers both (nothing modal); scripted use
  // (tests, --screenshot) sets a fixed policy.
  enum class ConvertPolicy { Ask, Convert, OpenAsIs };
  void setConvertPolicy(ConvertPolicy p) { convert_policy_ = p; }
  // True when `dir` holds *.bin weights and no *.safetensors.
  static bool isPickleCheckpoint(const QString& dir);

 signals:
  void loaded(QString name, dpn::ModelInfo info);
  void convertOffered(QString dir);  // the Ask bar is showing for `dir`

 private:
  void startLoad();
  void convert(const QString& dir);  // on the worker; the panel shows progress and loads the copy when done
  Session* session_;
  QComboBox* builtin_;
  QLineEdit* path_;
  QLineEdit* vision_;
  QComboBox* device_;
  QComboBox* dtype_;
  QPushButton* load_;
  QFrame* offer_;  // the Ask bar: convert / open as is / cancel
  QLabel* offer_text_;
  QProgressBar* convert_progress_;
  QLabel* facts_;
  QString loading_;
  QString converting_;  // the folder being converted, "" when idle
  ConvertPolicy convert_policy_ = ConvertPolicy::Ask;
};

}  // namespace dpn::views

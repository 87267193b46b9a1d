// The run parameters as embedded in exported figures.
#include "views/run_document.h"

#include <QFileInfo>

namespace dpn::views {

QString RunDocument::describe() const {
  QString s = QString("model=%1; method=%2; image=%3; question=%4")
                  .arg(model, method, QFileInfo(image_path).fileName(), question.simplified());
  for (const auto& [layer, expert] : overrides) s += QString("; override layer %1 -> expert %2").arg(layer).arg(expert);
  return s;
}

}  // namespace dpn::views

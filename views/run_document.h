// One finished (or failed) question: what was asked, on which model, and what came back. The views draw from it.
#pragma once
#include <QImage>
#include <QString>

#include "dpn.h"

namespace dpn::views {

struct RunDocument {
  QString model;       // model name or folder
  QString image_path;
  QString question;
  QString method;      // AskOptions::method text
  std::vector<std::pair<int, int>> overrides;
  QImage image;        // decoded once for drawing
  AskResult result;
  QString error;       // non-empty when the run failed
  bool done() const { return error.isEmpty() && !result.trace.layers.empty(); }
  // "model=... method=... question=... image=..." for exported figures' descriptions.
  QString describe() const;
};

}  // namespace dpn::views

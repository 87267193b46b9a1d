// Accuracy versus FLOPs: one point per (method, run), the efficiency frontier a benchmark is about.
#pragma once
#include <QPainter>
#include <QRectF>
#include <QString>
#include <vector>

namespace dpn::views {

struct AccuracyPoint {
  QString method;
  double flops = 0;     // mean LLM FLOPs per sample
  double accuracy = 0;  // mean score in [0, 1]
};

void paint_accuracy_flops(QPainter& p, const QRectF& area, const std::vector<AccuracyPoint>& points);

}  // namespace dpn::views

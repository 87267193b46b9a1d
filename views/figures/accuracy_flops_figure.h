// Accuracy versus FLOPs: one point per (method, run), with its 95% interval as an error bar when the summary carries
// one - the efficiency frontier a benchmark is about. Axes fit the data (intervals included).
#pragma once
#include <QPainter>
#include <QRectF>
#include <QString>
#include <cmath>
#include <vector>

#include "views/figures/figure_layout.h"

namespace dpn::views {

struct AccuracyPoint {
  QString method;
  double flops = 0;     // mean LLM prefill FLOPs per sample
  double accuracy = 0;  // mean score in [0, 1]
  double ci_lo = NAN;   // 95% interval of the accuracy in [0, 1]; NaN = none (no error bar)
  double ci_hi = NAN;
  long long n = 0;      // samples (shown in the legend when > 0)
  bool has_interval() const { return std::isfinite(ci_lo) && std::isfinite(ci_hi); }
};

struct AccuracyFlopsStyle {
  QString title = "Accuracy versus LLM FLOPs";  // "" = none
  QString interval = "95% interval";             // what the error bars are, for the note under the legend
};

FigureLayout paint_accuracy_flops(QPainter& p, const QRectF& area, const std::vector<AccuracyPoint>& points,
                                  const AccuracyFlopsStyle& style = {});

}  // namespace dpn::views

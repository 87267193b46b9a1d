// How often the routers chose each expert, per DPE layer and question family: one panel per layer, one horizontal
// 100% bar per family (all families first), segments in the expert greys named by kernel in the legend.
#pragma once
#include <QPainter>
#include <QRectF>
#include <QString>
#include <utility>
#include <vector>

#include "views/figures/figure_layout.h"

namespace dpn::views {

struct ExpertFrequency {
  int layer = 0;
  QString family;
  std::vector<int> counts;                   // per expert index
  std::vector<std::pair<int, int>> kernels;  // (kh, kw) per expert index; empty = unknown ("expert N")
};

struct ExpertFrequencyStyle {
  QString title = "Expert chosen per DPE layer and question family";  // "" = none
  QString all_label = "all families";  // the first row of each panel, the families together ("" = none)
};

FigureLayout paint_expert_frequencies(QPainter& p, const QRectF& area, const std::vector<ExpertFrequency>& rows,
                                      const ExpertFrequencyStyle& style = {});

}  // namespace dpn::views

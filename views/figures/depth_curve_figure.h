// Tokens versus depth: visual tokens entering each decoder layer, one step curve per method, on one chart. Each
// method keeps its colour, dash pattern and marker, so curves that coincide stay distinguishable.
#pragma once
#include <QPainter>
#include <QRectF>
#include <QString>
#include <vector>

#include "views/figures/figure_layout.h"

namespace dpn::views {

struct DepthSeries {
  QString name;             // method spec
  std::vector<int> visual;  // per decoder layer
};

struct DepthStyle {
  QString title = "Visual tokens per decoder layer";  // "" = none
};

FigureLayout paint_depth_curves(QPainter& p, const QRectF& area, const std::vector<DepthSeries>& series,
                                const DepthStyle& style = {});

}  // namespace dpn::views

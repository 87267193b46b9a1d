// The DPN routers' decisions: for each DPE layer the expert probabilities as bars named by kernel (1x1, 2x2, 4x4),
// in the expert greys, the expert used outlined and a forced (what-if) choice marked.
#pragma once
#include <QPainter>
#include <QRectF>
#include <vector>

#include "dpn.h"
#include "views/figures/figure_layout.h"

namespace dpn::views {

struct RouterStyle {
  QString title = "Router probabilities per DPE layer";  // "" = none
};

FigureLayout paint_routers(QPainter& p, const QRectF& area, const std::vector<RouterTrace>& routers,
                           const RouterStyle& style = {});

}  // namespace dpn::views

// The DPN routers' decisions: for each DPE layer the expert probabilities as bars, the chosen expert highlighted,
// a forced (what-if) choice marked.
#pragma once
#include <QPainter>
#include <QRectF>
#include <vector>

#include "dpn.h"

namespace dpn::views {

void paint_routers(QPainter& p, const QRectF& area, const std::vector<RouterTrace>& routers);

}  // namespace dpn::views

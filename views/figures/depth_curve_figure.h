// Tokens versus depth: visual tokens entering each decoder layer, one curve per method, on one chart.
#pragma once
#include <QPainter>
#include <QRectF>
#include <QString>
#include <vector>

namespace dpn::views {

struct DepthSeries {
  QString name;
  std::vector<int> visual;  // per decoder layer
};

void paint_depth_curves(QPainter& p, const QRectF& area, const std::vector<DepthSeries>& series);

}  // namespace dpn::views

// Axes for the line and scatter charts: lays out title, plot, ticks, axis labels and a legend below the plot, all
// measured in figure units so nothing is clipped or overlaps at any size; maps data to the plot rectangle.
#pragma once
#include <QPainter>
#include <QRectF>
#include <QString>
#include <vector>

#include "views/figures/figure_layout.h"
#include "views/figures/legend.h"

namespace dpn::views {

struct AxisSpec {
  QString label;
  double lo = 0, hi = 1;   // the data's range
  bool integer = false;    // integer ticks (layers); the range gets half a unit on both sides
  bool from_zero = false;  // the range starts at zero (counts)
  double margin = 0.06;    // fraction of the span added on both sides: the range fits the data
};

struct ChartSpec {
  QString title;  // "" = no title
  AxisSpec x, y;
  std::vector<LegendEntry> legend;  // drawn below the axes, outside the data
  QString note;                     // a line under the legend (what error bars mean), "" = none
};

struct ChartFrame {
  QRectF plot;  // inner plot rectangle in figure coordinates
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  QPointF map(double x, double y) const {
    return {plot.left() + (x - x0) / (x1 - x0) * plot.width(), plot.bottom() - (y - y0) / (y1 - y0) * plot.height()};
  }
};

// Draws title, grid, ticks, axis labels, legend and note into `area`; returns the mapping for the data.
ChartFrame draw_chart_frame(QPainter& p, const QRectF& area, const ChartSpec& spec, FigureLayout* layout);

// Tick values from lo to hi (inclusive, within rounding) at multiples of step.
std::vector<double> tick_values(double lo, double hi, double step);
// The text of a tick at `step` spacing: as many decimals as the step needs.
QString tick_text(double v, double step);

}  // namespace dpn::views

// Legends placed outside the data: entries (a line-and-marker sample or a filled box, then the label) flow in
// centred rows across the available width, below the plot.
#pragma once
#include <QPainter>
#include <QRectF>
#include <QString>
#include <vector>

#include "views/figures/figure_layout.h"
#include "views/figures/palette.h"

namespace dpn::views {

struct LegendEntry {
  QString label;
  SeriesStyle style;       // line + marker sample (series), or...
  bool box = false;        // ...a filled box of style.color (bars, experts)
  bool hollow = true;      // series markers drawn hollow (line charts) or filled (scatter)
  bool line = true;        // the sample shows the line (line charts), or the marker alone (scatter)
};

// The height the legend needs at `width` (0 without entries).
double legend_height(const QPainter& p, const std::vector<LegendEntry>& entries, double width);
// Draws the legend in the top of `area`; records its texts and its box (as a legend) in `layout`.
void draw_legend(QPainter& p, const QRectF& area, const std::vector<LegendEntry>& entries, FigureLayout* layout);

// Draws the sample of one series (a short line with the marker in the middle) in `r`.
void draw_series_sample(QPainter& p, const QRectF& r, const SeriesStyle& style, bool hollow, bool line = true);
// The pen of a series' line.
QPen series_pen(const SeriesStyle& style, double width);

}  // namespace dpn::views

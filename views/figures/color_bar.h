// A horizontal colour bar for the attention heatmap: the colour scale with its values, and a statement of what the
// colour is (which query, which heads, which layer) under it.
#pragma once
#include <QPainter>
#include <QRectF>
#include <QString>

#include "views/figures/figure_layout.h"

namespace dpn::views {

// The height the bar, its tick labels and the statement (wrapped to `width`) need.
double color_bar_height(const QPainter& p, double width, const QString& statement);
// Draws the bar for values lo..hi (heat_color) at the top of `area`, then the statement.
void draw_color_bar(QPainter& p, const QRectF& area, double lo, double hi, const QString& statement,
                    FigureLayout* layout);

}  // namespace dpn::views

// Axes for the line and scatter charts: maps data to the plot rectangle and draws ticks, grid and labels.
#pragma once
#include <QPainter>
#include <QRectF>
#include <QString>

namespace dpn::views {

struct ChartFrame {
  QRectF plot;                 // inner plot rectangle in painter coordinates
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  QPointF map(double x, double y) const {
    return {plot.left() + (x - x0) / (x1 - x0) * plot.width(), plot.bottom() - (y - y0) / (y1 - y0) * plot.height()};
  }
};

// Lays out a chart in `area` with a title and axis labels, draws grid and ticks, returns the mapping.
// Ranges are widened to "nice" tick values; empty ranges become [v - 1, v + 1].
ChartFrame draw_chart_frame(QPainter& p, const QRectF& area, const QString& title, const QString& x_label,
                            const QString& y_label, double x0, double x1, double y0, double y1,
                            bool integer_x = false);

// Draws a legend box of (name, colour) entries at the top right of the plot.
void draw_legend(QPainter& p, const ChartFrame& frame, const QStringList& names, const QList<QColor>& colors);

}  // namespace dpn::views

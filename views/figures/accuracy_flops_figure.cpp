// Draws the accuracy-versus-FLOPs scatter with labelled points.
#include "views/figures/accuracy_flops_figure.h"

#include <QList>
#include <QStringList>
#include <algorithm>

#include "views/figures/chart_frame.h"
#include "views/figures/figure.h"

namespace dpn::views {

void paint_accuracy_flops(QPainter& p, const QRectF& area, const std::vector<AccuracyPoint>& points) {
  // FLOPs from zero: the savings read as lengths. Units follow the largest value (tiny models are in MFLOPs).
  double top = 0;
  for (const AccuracyPoint& a : points) top = std::max(top, a.flops);
  const double unit = top >= 1e9 ? 1e9 : 1e6;
  const QString x_label = unit == 1e9 ? "LLM prefill FLOPs per sample (GFLOPs)" : "LLM prefill FLOPs per sample (MFLOPs)";
  ChartFrame f = draw_chart_frame(p, area, "Accuracy versus LLM FLOPs", x_label, "accuracy (%)", 0,
                                  top > 0 ? top / unit * 1.1 : 1, 0, 100);
  p.save();
  p.setRenderHint(QPainter::Antialiasing, true);
  QStringList names;
  QList<QColor> colors;
  for (size_t i = 0; i < points.size(); ++i) {
    QColor c = series_color(int(i));
    QPointF q = f.map(points[i].flops / unit, points[i].accuracy * 100);
    p.setPen(QPen(c.darker(130), 1.2));
    p.setBrush(c);
    p.drawEllipse(q, 5, 5);
    names << QString("%1  %2%").arg(points[i].method).arg(points[i].accuracy * 100, 0, 'f', 1);
    colors << c;
  }
  p.restore();
  draw_legend(p, f, names, colors);
}

}  // namespace dpn::views

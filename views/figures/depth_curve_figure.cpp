// Draws the step curves of visual tokens per layer.
#include "views/figures/depth_curve_figure.h"

#include <QList>
#include <QStringList>
#include <algorithm>

#include "views/figures/chart_frame.h"
#include "views/figures/figure.h"

namespace dpn::views {

void paint_depth_curves(QPainter& p, const QRectF& area, const std::vector<DepthSeries>& series) {
  int layers = 1, top = 1;
  for (const DepthSeries& s : series) {
    layers = std::max(layers, int(s.visual.size()));
    for (int v : s.visual) top = std::max(top, v);
  }
  ChartFrame f = draw_chart_frame(p, area, "Visual tokens per decoder layer", "decoder layer", "visual tokens", 0,
                                  layers, 0, top * 1.05, true);
  p.save();
  p.setRenderHint(QPainter::Antialiasing, true);
  p.setClipRect(f.plot.adjusted(-2, -2, 2, 2));
  QStringList names;
  QList<QColor> colors;
  for (size_t i = 0; i < series.size(); ++i) {
    const DepthSeries& s = series[i];
    QColor c = series_color(int(i));
    QPolygonF line;
    // A layer processes its tokens over [l, l+1): draw steps so the drop sits where the pooling happens.
    for (size_t l = 0; l < s.visual.size(); ++l) {
      line << f.map(double(l), s.visual[l]) << f.map(double(l + 1), s.visual[l]);
    }
    p.setPen(QPen(c, 2.2 - 0.25 * (i % 3)));
    p.drawPolyline(line);
    names << s.name;
    colors << c;
  }
  p.restore();
  draw_legend(p, f, names, colors);
}

}  // namespace dpn::views

// Draws the step curves of visual tokens per layer.
#include "views/figures/depth_curve_figure.h"

#include <QPolygonF>
#include <algorithm>
#include <map>

#include "views/figures/chart_frame.h"
#include "views/figures/palette.h"

namespace dpn::views {

namespace {
constexpr double kMarker = 4.5;         // marker size, points
constexpr int kMarkEveryLayerUpTo = 16; // more layers: markers only where the count changes, and at both ends
}  // namespace

FigureLayout paint_depth_curves(QPainter& p, const QRectF& area, const std::vector<DepthSeries>& series,
                                const DepthStyle& style) {
  FigureLayout layout{area, {}, {}, {}};
  int layers = 1, top = 1;
  for (const DepthSeries& s : series) {
    layers = std::max(layers, int(s.visual.size()));
    for (int v : s.visual) top = std::max(top, v);
  }
  // One style per series: the method's own; a second spec of the same kind gets another marker.
  std::map<QString, int> seen;
  std::vector<SeriesStyle> styles;
  ChartSpec spec;
  spec.title = style.title;
  spec.x = {"decoder layer", 0, double(layers - 1), /*integer=*/true};
  spec.y = {"visual tokens", 0, double(top), false, /*from_zero=*/true, 0.04};
  for (const DepthSeries& s : series) {
    styles.push_back(method_style(s.name, seen[method_kind(s.name)]++));
    spec.legend.push_back({s.name, styles.back()});
  }
  const ChartFrame f = draw_chart_frame(p, area, spec, &layout);
  p.save();
  p.setRenderHint(QPainter::Antialiasing, true);
  // Widest line first, so a curve hidden under another still shows as a border around it.
  const double widest = 1.0 + 0.5 * std::max<int>(0, int(series.size()) - 1);
  for (size_t i = 0; i < series.size(); ++i) {
    const std::vector<int>& v = series[i].visual;
    if (v.empty()) continue;
    // Layer l holds v[l] tokens; a change happens between layers, drawn as a step at l - 0.5.
    QPolygonF line;
    line << f.map(-0.5, v[0]);
    for (size_t l = 1; l < v.size(); ++l) line << f.map(l - 0.5, v[l - 1]) << f.map(l - 0.5, v[l]);
    line << f.map(v.size() - 0.5, v.back());
    p.setPen(series_pen(styles[i], std::max(1.0, widest - 0.5 * double(i))));
    p.drawPolyline(line);
    for (int k = 0; k + 1 < line.size(); ++k) {
      const QRectF seg = QRectF(line[k], line[k + 1]).normalized();
      layout.data.push_back(seg.adjusted(-0.5, -0.5, 0.5, 0.5));
    }
  }
  // Markers: series with the same count at a layer are set side by side (dodged) so each one shows.
  const double layer_w = f.map(1, 0).x() - f.map(0, 0).x();
  for (int l = 0; l < layers; ++l) {
    std::map<int, std::vector<size_t>> at;  // count -> series with a marker there
    for (size_t i = 0; i < series.size(); ++i) {
      const std::vector<int>& v = series[i].visual;
      if (size_t(l) >= v.size()) continue;
      const bool change = l == 0 || size_t(l) + 1 == v.size() || v[size_t(l)] != v[size_t(l) - 1];
      if (layers <= kMarkEveryLayerUpTo || change) at[v[size_t(l)]].push_back(i);
    }
    for (const auto& [count, group] : at) {
      const double step = std::min(kMarker * 1.1, 0.8 * layer_w / double(group.size()));
      for (size_t j = 0; j < group.size(); ++j) {
        const QPointF c = f.map(double(l), count) + QPointF((double(j) - (group.size() - 1) / 2.0) * step, 0);
        draw_marker(p, styles[group[j]].marker, c, kMarker, styles[group[j]].color, Qt::white);
        layout.data.push_back(QRectF(c.x() - kMarker / 2, c.y() - kMarker / 2, kMarker, kMarker));
      }
    }
  }
  p.restore();
  return layout;
}

}  // namespace dpn::views

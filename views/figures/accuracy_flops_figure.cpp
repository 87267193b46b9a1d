// Draws the accuracy-versus-FLOPs scatter with interval bars.
#include "views/figures/accuracy_flops_figure.h"

#include <algorithm>
#include <map>

#include "views/figures/chart_frame.h"
#include "views/figures/palette.h"

namespace dpn::views {

namespace {
constexpr double kMarker = 6;  // points
constexpr double kCap = 2.5;   // half-width of an error bar's cap, points
}  // namespace

FigureLayout paint_accuracy_flops(QPainter& p, const QRectF& area, const std::vector<AccuracyPoint>& points,
                                  const AccuracyFlopsStyle& style) {
  FigureLayout layout{area, {}, {}, {}};
  // Units follow the largest value (tiny models are in MFLOPs).
  double fmin = 0, fmax = 0, amin = 100, amax = 0;
  bool any_interval = false;
  for (size_t i = 0; i < points.size(); ++i) {
    const AccuracyPoint& a = points[i];
    fmin = i ? std::min(fmin, a.flops) : a.flops;
    fmax = std::max(fmax, a.flops);
    const double lo = a.has_interval() ? a.ci_lo : a.accuracy, hi = a.has_interval() ? a.ci_hi : a.accuracy;
    amin = std::min(amin, lo * 100), amax = std::max(amax, hi * 100);
    any_interval = any_interval || a.has_interval();
  }
  if (points.empty()) amin = 0, amax = 100;
  const double unit = fmax >= 1e12 ? 1e12 : fmax >= 1e9 ? 1e9 : 1e6;
  const QString unit_name = unit == 1e12 ? "TFLOPs" : unit == 1e9 ? "GFLOPs" : "MFLOPs";
  ChartSpec spec;
  spec.title = style.title;
  spec.x = {"LLM prefill FLOPs per sample (" + unit_name + ")", fmin / unit, fmax / unit, false, false, 0.08};
  spec.y = {"accuracy (%)", amin, amax, false, false, 0.08};
  std::map<QString, int> seen;
  std::vector<SeriesStyle> styles;
  for (const AccuracyPoint& a : points) {
    styles.push_back(method_style(a.method, seen[method_kind(a.method)]++));
    QString label = QString("%1 %2%").arg(a.method).arg(a.accuracy * 100, 0, 'f', 1);
    if (a.n > 0) label += QString(" (n=%1)").arg(a.n);
    spec.legend.push_back({label, styles.back(), /*box=*/false, /*hollow=*/false, /*line=*/false});
  }
  if (any_interval) spec.note = "Error bars: " + style.interval + " of the accuracy.";
  const ChartFrame f = draw_chart_frame(p, area, spec, &layout);
  p.save();
  p.setRenderHint(QPainter::Antialiasing, true);
  for (size_t i = 0; i < points.size(); ++i) {
    const AccuracyPoint& a = points[i];
    const QPointF c = f.map(a.flops / unit, a.accuracy * 100);
    if (a.has_interval()) {
      const QPointF lo = f.map(a.flops / unit, a.ci_lo * 100), hi = f.map(a.flops / unit, a.ci_hi * 100);
      p.setPen(QPen(styles[i].color.darker(120), 0.9));
      p.drawLine(lo, hi);
      p.drawLine(lo - QPointF(kCap, 0), lo + QPointF(kCap, 0));
      p.drawLine(hi - QPointF(kCap, 0), hi + QPointF(kCap, 0));
      layout.data.push_back(QRectF(hi.x() - kCap, hi.y(), 2 * kCap, lo.y() - hi.y()));
    }
    draw_marker(p, styles[i].marker, c, kMarker, styles[i].color.darker(150), styles[i].color);
    layout.data.push_back(QRectF(c.x() - kMarker / 2, c.y() - kMarker / 2, kMarker, kMarker));
  }
  p.restore();
  return layout;
}

}  // namespace dpn::views

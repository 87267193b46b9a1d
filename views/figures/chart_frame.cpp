// Chart axes shared by the tokens-versus-depth and accuracy-versus-FLOPs figures.
#include "views/figures/chart_frame.h"

#include <algorithm>
#include <cmath>

#include "views/figures/figure_text.h"

namespace dpn::views {

namespace {
constexpr double kTick = 2.5;      // tick mark length, points
constexpr double kGap = 2;         // between tick marks, tick labels and axis labels
constexpr double kTickGap = 5;     // least space between two tick labels, points
constexpr double kMinTickStepX = 30;  // least distance between two x ticks, points (fewer, calmer ticks)
constexpr double kMinTickStepY = 18;  // the same for y
constexpr int kMaxAxisLines = 2;   // an axis label wraps onto at most two lines

struct Range {
  double lo, hi;
};

Range fitted_range(const AxisSpec& a) {
  double lo = a.lo, hi = a.hi;
  if (a.from_zero) lo = std::min(lo, 0.0);
  if (!(hi > lo)) {
    const double d = std::max(1.0, std::fabs(hi) * 0.1);
    lo -= a.from_zero && lo == 0 ? 0 : d, hi += d;
  }
  if (a.integer) return {lo - 0.5, hi + 0.5};
  const double pad = (hi - lo) * a.margin;
  return {a.from_zero && lo == 0 ? 0 : lo - pad, hi + pad};
}

// Candidate steps, smallest first: 1, 2, 2.5, 5 x 10^k from span / 40 up to the span.
std::vector<double> candidate_steps(double span, bool integer) {
  std::vector<double> out;
  double mag = std::pow(10, std::floor(std::log10(span / 40)));
  for (int k = 0; k < 6; ++k, mag *= 10)
    for (double m : {1.0, 2.0, 2.5, 5.0}) {
      const double s = m * mag;
      if (integer && (s < 1 || std::fabs(s - std::round(s)) > 1e-9)) continue;
      if (s >= span / 40) out.push_back(s);
    }
  if (out.empty()) out.push_back(integer ? std::max(1.0, std::ceil(span)) : span);
  return out;
}

// The smallest step whose tick labels keep apart along an axis of `length` points. Labels take `extent(text)`
// along the axis. The last candidate (about the whole span) is taken when none keeps them apart.
template <class Extent>
double choose_step(double lo, double hi, double length, bool integer, double min_step, Extent extent) {
  const std::vector<double> steps = candidate_steps(hi - lo, integer);
  for (double s : steps) {
    const std::vector<double> t = tick_values(lo, hi, s);
    if (t.size() < 2) return s;
    double widest = 0;
    for (double v : t) widest = std::max(widest, extent(tick_text(v, s)));
    const double px = s / (hi - lo) * length;
    if (px >= widest + kTickGap && px >= min_step) return s;
  }
  return steps.back();
}
}  // namespace

std::vector<double> tick_values(double lo, double hi, double step) {
  std::vector<double> out;
  const double eps = step * 1e-6;
  for (double k = std::ceil((lo - eps) / step); k * step <= hi + eps; k += 1) out.push_back(k * step);
  return out;
}

QString tick_text(double v, double step) {
  int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
  if (std::fabs(step * std::pow(10, decimals) - std::round(step * std::pow(10, decimals))) > 1e-6) ++decimals;
  if (std::fabs(v) < step * 1e-6) v = 0;  // no "-0"
  return QString::number(v, 'f', decimals);
}

ChartFrame draw_chart_frame(QPainter& p, const QRectF& area, const ChartSpec& spec, FigureLayout* layout) {
  p.save();
  const QFont tick_font = figure_font(p, kTickPt), label_font = figure_font(p, kLabelPt);
  const QFontMetricsF tfm = figure_metrics(p, tick_font), lfm = figure_metrics(p, label_font);
  const Range xr = fitted_range(spec.x), yr = fitted_range(spec.y);

  // Vertical budget: title, plot, x ticks, x label, legend, note.
  const double title_h = title_height(p, area.width(), spec.title);
  const QStringList x_label = wrap_lines(lfm, spec.x.label, area.width(), kMaxAxisLines);
  const double legend_h = legend_height(p, spec.legend, area.width());
  const QFont note_font = figure_font(p, kTickPt);
  const QFontMetricsF nfm = figure_metrics(p, note_font);
  const QStringList note = wrap_lines(nfm, spec.note, area.width(), kMaxAxisLines);
  const double below = kTick + kGap + tfm.height() + kGap + x_label.size() * lfm.height() + legend_h +
                       (note.isEmpty() ? 0 : kGap + note.size() * nfm.height());
  ChartFrame f;
  f.plot.setTop(area.top() + title_h + tfm.height() / 2);  // room for the top tick label's upper half
  f.plot.setBottom(area.bottom() - below);
  f.x0 = xr.lo, f.x1 = xr.hi, f.y0 = yr.lo, f.y1 = yr.hi;

  // y ticks first (they set the left margin), then x ticks across the remaining width.
  const double ystep = choose_step(yr.lo, yr.hi, f.plot.height(), spec.y.integer, kMinTickStepY,
                                   [&](const QString&) { return tfm.height(); });
  const std::vector<double> yt = tick_values(yr.lo, yr.hi, ystep);
  double ytick_w = 0;
  for (double v : yt) ytick_w = std::max(ytick_w, tfm.horizontalAdvance(tick_text(v, ystep)));
  const QStringList y_label = wrap_lines(lfm, spec.y.label, f.plot.height(), 1);
  f.plot.setLeft(area.left() + (y_label.isEmpty() ? 0 : lfm.height() + kGap) + ytick_w + kGap + kTick);
  // The last x tick label may stick out to the right of the plot by half its width.
  double right_pad = 2;
  double xstep = 1;
  std::vector<double> xt;
  for (int pass = 0; pass < 2; ++pass) {
    f.plot.setRight(area.right() - right_pad);
    xstep = choose_step(xr.lo, xr.hi, f.plot.width(), spec.x.integer, kMinTickStepX,
                        [&](const QString& t) { return tfm.horizontalAdvance(t); });
    xt = tick_values(xr.lo, xr.hi, xstep);
    if (xt.empty()) break;
    const double last_x = f.map(xt.back(), 0).x();
    const double overhang = last_x + tfm.horizontalAdvance(tick_text(xt.back(), xstep)) / 2 - (area.right() - 1);
    if (overhang <= 0) break;
    right_pad += overhang;
  }

  // Title.
  draw_title(p, QRectF(area.left(), area.top(), area.width(), title_h), spec.title, layout);
  // Plot background, grid, frame.
  p.setRenderHint(QPainter::Antialiasing, true);
  p.fillRect(f.plot, Qt::white);
  p.setPen(QPen(QColor(228, 228, 228), 0.5));
  for (double v : yt) p.drawLine(f.map(f.x0, v), f.map(f.x1, v));
  for (double v : xt) p.drawLine(f.map(v, f.y0), f.map(v, f.y1));
  p.setPen(QPen(QColor(70, 70, 70), 0.6));
  p.setBrush(Qt::NoBrush);
  p.drawRect(f.plot);
  // Ticks and their labels.
  p.setFont(tick_font);
  for (double v : yt) {
    const QPointF a = f.map(f.x0, v);
    p.setPen(QPen(QColor(70, 70, 70), 0.6));
    p.drawLine(a, a - QPointF(kTick, 0));
    p.setPen(QColor(40, 40, 40));
    draw_text(p, QRectF(a.x() - kTick - kGap - ytick_w, a.y() - tfm.height() / 2, ytick_w, tfm.height()),
              Qt::AlignRight | Qt::AlignVCenter, tick_text(v, ystep), layout);
  }
  for (double v : xt) {
    const QPointF a = f.map(v, f.y0);
    p.setPen(QPen(QColor(70, 70, 70), 0.6));
    p.drawLine(a, a + QPointF(0, kTick));
    p.setPen(QColor(40, 40, 40));
    const QString t = tick_text(v, xstep);
    const double w = tfm.horizontalAdvance(t);
    draw_text(p, QRectF(a.x() - w / 2 - 1, a.y() + kTick + kGap, w + 2, tfm.height()), Qt::AlignHCenter | Qt::AlignTop,
              t, layout);
  }
  // Axis labels.
  p.setFont(label_font);
  p.setPen(QColor(20, 20, 20));
  double y = f.plot.bottom() + kTick + kGap + tfm.height() + kGap;
  for (const QString& line : x_label) {
    draw_text(p, QRectF(area.left(), y, area.width(), lfm.height()), Qt::AlignHCenter | Qt::AlignTop, line, layout);
    y += lfm.height();
  }
  if (!y_label.isEmpty())
    draw_vertical_text(p, QPointF(area.left() + lfm.height() / 2, f.plot.center().y()), y_label.front(), layout);
  // Legend and note below everything, outside the data.
  draw_legend(p, QRectF(area.left(), y, area.width(), legend_h), spec.legend, layout);
  y += legend_h;
  if (!note.isEmpty()) {
    y += kGap;
    p.setFont(note_font);
    p.setPen(QColor(60, 60, 60));
    for (const QString& line : note) {
      draw_text(p, QRectF(area.left(), y, area.width(), nfm.height()), Qt::AlignHCenter | Qt::AlignTop, line, layout);
      y += nfm.height();
    }
  }
  p.restore();
  return f;
}

}  // namespace dpn::views

// Legend rows: measured, wrapped to the width, centred.
#include "views/figures/legend.h"

#include <algorithm>

#include "views/figures/figure_text.h"

namespace dpn::views {

namespace {
constexpr double kSampleW = 16;   // line sample width, points
constexpr double kBoxW = 7;       // box sample side, points
constexpr double kSampleGap = 3;  // sample to label
constexpr double kEntryGap = 9;   // between entries in a row
constexpr double kTopGap = 3;     // above the legend

double sample_width(const LegendEntry& e) { return e.box ? kBoxW : e.line ? kSampleW : kBoxW; }

struct LegendRows {
  double font_pt = kLabelPt;
  double line_h = 0;
  std::vector<std::vector<int>> rows;
  std::vector<double> widths;  // per entry
  std::vector<QString> labels;
};

LegendRows legend_rows(const QPainter& p, const std::vector<LegendEntry>& entries, double width) {
  LegendRows r;
  QStringList labels;
  for (const LegendEntry& e : entries) labels << e.label;
  // Each label alone must fit a row: shrink to the smallest size, then elide.
  const double widest_sample = kSampleW + kSampleGap;
  r.font_pt = std::max(kSmallestPt, fitting_size(p, labels, width - widest_sample, kLabelPt));
  const QFontMetricsF fm = figure_metrics(p, figure_font(p, r.font_pt));
  r.line_h = fm.height();
  std::vector<int> row;
  double used = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const double sample = sample_width(entries[i]) + kSampleGap;
    const QString label = fm.elidedText(entries[i].label, Qt::ElideRight, width - sample);
    const double w = sample + fm.horizontalAdvance(label);
    r.labels.push_back(label);
    r.widths.push_back(w);
    const double need = row.empty() ? w : used + kEntryGap + w;
    if (!row.empty() && need > width) {
      r.rows.push_back(row);
      row.clear();
      used = w;
    } else {
      used = need;
    }
    row.push_back(int(i));
  }
  if (!row.empty()) r.rows.push_back(row);
  return r;
}
}  // namespace

QPen series_pen(const SeriesStyle& style, double width) {
  QPen pen(style.color, width, style.dash, Qt::FlatCap, Qt::MiterJoin);
  if (style.dash == Qt::CustomDashLine) pen.setDashPattern(style.dash_pattern);
  return pen;
}

void draw_series_sample(QPainter& p, const QRectF& r, const SeriesStyle& style, bool hollow, bool line) {
  p.save();
  p.setPen(series_pen(style, 1.2));
  if (line) p.drawLine(QPointF(r.left(), r.center().y()), QPointF(r.right(), r.center().y()));
  draw_marker(p, style.marker, r.center(), line ? 4.5 : 5.5, hollow ? style.color : style.color.darker(150),
              hollow ? QColor(Qt::white) : style.color);
  p.restore();
}

double legend_height(const QPainter& p, const std::vector<LegendEntry>& entries, double width) {
  if (entries.empty()) return 0;
  const LegendRows r = legend_rows(p, entries, width);
  return kTopGap + r.rows.size() * r.line_h;
}

void draw_legend(QPainter& p, const QRectF& area, const std::vector<LegendEntry>& entries, FigureLayout* layout) {
  if (entries.empty()) return;
  const LegendRows r = legend_rows(p, entries, area.width());
  p.save();
  p.setFont(figure_font(p, r.font_pt));
  double y = area.top() + kTopGap;
  QRectF bounds;
  for (const std::vector<int>& row : r.rows) {
    double total = 0;
    for (int i : row) total += r.widths[size_t(i)];
    total += kEntryGap * (row.size() - 1);
    double x = area.left() + (area.width() - total) / 2;
    for (int i : row) {
      const LegendEntry& e = entries[size_t(i)];
      const double sample = sample_width(e);
      const QRectF sr(x, y, sample, r.line_h);
      if (e.box) {
        const QRectF b(sr.left(), sr.center().y() - kBoxW / 2, kBoxW, kBoxW);
        p.setPen(QPen(QColor(60, 60, 60), 0.5));
        p.setBrush(e.style.color);
        p.drawRect(b);
      } else {
        draw_series_sample(p, sr, e.style, e.hollow, e.line);
      }
      p.setPen(QColor(30, 30, 30));
      const QRectF tr(x + sample + kSampleGap, y, r.widths[size_t(i)] - sample - kSampleGap + 1, r.line_h);
      bounds |= draw_text(p, tr, Qt::AlignLeft | Qt::AlignVCenter, r.labels[size_t(i)], layout);
      bounds |= sr;
      x += r.widths[size_t(i)] + kEntryGap;
    }
    y += r.line_h;
  }
  if (layout) layout->legends.push_back(bounds);
  p.restore();
}

}  // namespace dpn::views

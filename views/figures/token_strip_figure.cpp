// Draws the thumbnails strip and maps clicks back to layers.
#include "views/figures/token_strip_figure.h"

#include <algorithm>
#include <cmath>

#include "views/figures/figure.h"
#include "views/figures/figure_text.h"
#include "views/figures/token_map_figure.h"

namespace dpn::views {

namespace {
constexpr double kCaptionPt = 7;   // caption size; shrinks to kSmallestPt for narrow cells
constexpr int kCaptionLines = 2;
constexpr double kPad = 2;          // around each thumbnail, points
constexpr int kAllLayersUpTo = 12;
const QColor kSelection(230, 159, 0);

double caption_line_height() {
  MeasuringPainter m;
  return figure_metrics(m.painter(), figure_font(m.painter(), kCaptionPt)).height();
}
}  // namespace

StripLayout strip_layout(const QRectF& area, int count) {
  StripLayout s;
  if (count <= 0) return s;
  const double caption = kCaptionLines * caption_line_height();
  // The column count giving the biggest square thumbnails that fit.
  double best = -1;
  for (int c = 1; c <= count; ++c) {
    const int r = (count + c - 1) / c;
    const double side = std::min(area.width() / c, area.height() / r - caption) - 2 * kPad;
    if (side > best) best = side, s.columns = c, s.rows = r;
  }
  s.cell_w = area.width() / s.columns;
  s.cell_h = area.height() / s.rows;
  return s;
}

QRectF StripLayout::cell(const QRectF& area, int index) const {
  return QRectF(area.left() + (index % columns) * cell_w, area.top() + (index / columns) * cell_h, cell_w, cell_h);
}

QStringList pyramid_caption(const RunTrace& trace, int i) {
  const LayerTrace& l = trace.layers[size_t(i)];
  QStringList lines{QString("L%1 \u00b7 %2").arg(l.layer).arg(layer_caption(l))};
  for (const RouterTrace& r : trace.routers) {
    if (r.layer + 1 != l.layer || r.chosen < 0 || r.chosen >= int(r.experts.size())) continue;
    const auto [kh, kw] = r.experts[size_t(r.chosen)];
    // A router's choice names the expert; a fixed pyramid (no probabilities) pooled by its kernel.
    lines << QString(r.probs.empty() ? "%1x%2 pooling" : r.overridden ? "%1x%2 (forced)" : "%1x%2 expert").arg(kh).arg(kw);
  }
  return lines;
}

std::vector<int> default_pyramid_layers(const RunTrace& trace) {
  const int n = int(trace.layers.size());
  std::vector<int> out;
  for (int i = 0; i < n; ++i) {
    const bool change = i == 0 || i == n - 1 || trace.layers[size_t(i)].visual != trace.layers[size_t(i - 1)].visual ||
                        trace.layers[size_t(i)].grid_h != trace.layers[size_t(i - 1)].grid_h;
    if (n <= kAllLayersUpTo || change) out.push_back(i);
  }
  return out;
}

double pyramid_height(double width, int count, bool title) {
  MeasuringPainter m;
  const double caption = kCaptionLines * caption_line_height();
  // Thumbnails of at least 0.7 inch where the width allows, in as few rows as that gives.
  const int columns = std::clamp(int(width / 50.4), 1, std::max(1, count));
  const int rows = (count + columns - 1) / columns;
  const double side = width / columns;
  return rows * (side + caption) + (title ? title_height(m.painter(), width, "Token pyramid") : 0);
}

FigureLayout paint_token_pyramid(QPainter& p, const QRectF& area, const QImage& image, const RunTrace& trace,
                                 const PyramidStyle& style) {
  FigureLayout layout{area, {}, {}, {}};
  const int n = int(trace.layers.size());
  p.save();
  if (n == 0) {
    p.setFont(figure_font(p, kLabelPt));
    p.setPen(QColor(90, 90, 90));
    draw_text(p, area, Qt::AlignCenter, "run a question to see the token pyramid", &layout);
    p.restore();
    return layout;
  }
  std::vector<int> shown = style.layers;
  if (shown.empty())
    for (int i = 0; i < n; ++i) shown.push_back(i);
  shown.erase(std::remove_if(shown.begin(), shown.end(), [n](int i) { return i < 0 || i >= n; }), shown.end());
  QRectF strip = area;
  strip.setTop(area.top() + draw_title(p, area, style.title, &layout));
  const StripLayout s = strip_layout(strip, int(shown.size()));
  const double line_h = caption_line_height();
  TokenMapStyle thumb;
  thumb.caption = false;
  const bool on_screen = p.device() && p.device()->devType() == QInternal::Widget;
  // One caption size for every thumbnail: as large as fits the cells, down to the smallest size (then elided).
  QStringList all_lines;
  for (int i : shown) all_lines << pyramid_caption(trace, i);
  const double cell_text_w = s.cell_w - 2 * kPad;
  const double caption_pt = std::max(kSmallestPt, fitting_size(p, all_lines, cell_text_w, kCaptionPt));
  for (size_t k = 0; k < shown.size(); ++k) {
    const int i = shown[k];
    const QRectF c = s.cell(strip, int(k)).adjusted(kPad, kPad, -kPad, -kPad);
    const double side = std::max(0.0, std::min(c.width(), c.height() - kCaptionLines * line_h));
    const QRectF t(c.center().x() - side / 2, c.top(), side, side);
    layout.add(paint_token_map(p, t, image, trace, i, thumb));
    // Captions as large as fit the cell, down to the smallest size, else elided.
    const QStringList lines = pyramid_caption(trace, i);
    p.setFont(figure_font(p, caption_pt));
    const QFontMetricsF fm = figure_metrics(p, p.font());
    p.setPen(QColor(20, 20, 20));
    double y = t.bottom() + 1;
    for (const QString& line : lines) {
      draw_text(p, QRectF(c.left(), y, c.width(), fm.height()), Qt::AlignHCenter | Qt::AlignTop,
                fm.elidedText(line, Qt::ElideRight, c.width()), &layout);
      y += fm.height();
    }
    if (on_screen && i == style.selected) {
      p.setPen(QPen(kSelection, 2));
      p.setBrush(Qt::NoBrush);
      p.drawRect(t.adjusted(-1, -1, 1, 1));
    }
  }
  p.restore();
  return layout;
}

FigureLayout paint_token_strip(QPainter& p, const QRectF& area, const QImage& image, const RunTrace& trace,
                               int selected) {
  PyramidStyle style;
  style.selected = selected;
  return paint_token_pyramid(p, area, image, trace, style);
}

int token_strip_hit(const QRectF& area, int count, const QPointF& pos) {
  if (count <= 0 || !area.contains(pos)) return -1;
  StripLayout s = strip_layout(area, count);
  int col = int((pos.x() - area.left()) / s.cell_w), row = int((pos.y() - area.top()) / s.cell_h);
  int i = row * s.columns + col;
  return i < count ? i : -1;
}

}  // namespace dpn::views

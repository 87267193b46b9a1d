// Draws the side-by-side token maps with headers and a shared colour scale.
#include "views/figures/compare_figure.h"

#include <algorithm>
#include <cmath>

#include "views/figures/color_bar.h"
#include "views/figures/figure_text.h"
#include "views/figures/palette.h"
#include "views/figures/token_map_figure.h"

namespace dpn::views {

namespace {
constexpr double kPad = 3;       // between panels, points
constexpr double kSwatch = 6;    // method colour square before the name
constexpr double kTwoLinePt = 6.5;  // method names smaller than this go on two lines
constexpr double kMinPanel = 0.75 * 72;  // narrower panels go onto a second row (default height)

int panel_index(const RunTrace& t, int layer) {
  const int n = int(t.layers.size());
  for (int i = 0; i < n; ++i)
    if (t.layers[size_t(i)].layer == layer) return i;
  return n - 1;
}

// "Faded: dropped" is part of the statement when any panel drops tokens.
QString statement(int layer, int heads) {
  return "Colour: " + attention_statement(layer, heads) + ", one scale for all panels. Faded: dropped.";
}

struct Grid {
  int columns = 1, rows = 1;
  double side = 0;
};

Grid grid_for(double width, double height, int n, double header_h) {
  Grid best;
  best.side = -1;
  for (int c = 1; c <= n; ++c) {
    const int r = (n + c - 1) / c;
    const double side = std::min(width / c - kPad, height / r - header_h - kPad);
    if (side > best.side) best = {c, r, side};
  }
  return best;
}
}  // namespace

double compare_height(double width, int panels, bool title, bool heatmap) {
  MeasuringPainter m;
  QPainter& p = m.painter();
  const double header_h = figure_metrics(p, figure_font(p, kLabelPt, true)).height() +
                          2 * figure_metrics(p, figure_font(p, kTickPt)).height() + 1;
  const int n = std::max(1, panels);
  // One row unless the panels would be narrower than kMinPanel.
  int columns = n;
  while (columns > 1 && width / columns < kMinPanel) columns = (columns + 1) / 2;
  const int rows = (n + columns - 1) / columns;
  const double side = width / columns - kPad;
  double h = rows * (side + header_h + kPad);
  if (title) h += title_height(p, width, "Visual tokens at layer 00 of every method");
  if (heatmap) h += color_bar_height(p, width, statement(0, 32));
  return h;
}

FigureLayout paint_compare_maps(QPainter& p, const QRectF& area, const std::vector<ComparePanel>& panels, int layer,
                                const CompareStyle& style) {
  FigureLayout layout{area, {}, {}, {}};
  p.save();
  if (panels.empty()) {
    p.setFont(figure_font(p, kLabelPt));
    p.setPen(QColor(90, 90, 90));
    draw_text(p, area, Qt::AlignCenter, "no finished runs", &layout);
    p.restore();
    return layout;
  }
  QRectF body = area;
  body.setTop(area.top() + draw_title(p, area, style.title, &layout));
  // One colour scale over every panel's attention at its layer.
  double lo = INFINITY, hi = -INFINITY;
  for (const ComparePanel& c : panels) {
    const int i = panel_index(c.trace, layer);
    if (i < 0) continue;
    const LayerTrace& l = c.trace.layers[size_t(i)];
    if (!style.heatmap || l.attention.size() != l.regions.size()) continue;
    for (float v : l.attention) lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
  }
  const bool heat = style.heatmap && std::isfinite(lo);
  const QString bar_text = heat ? statement(layer, style.heads) : QString();
  const double bar_h = heat ? color_bar_height(p, body.width(), bar_text) : 0;
  body.setBottom(body.bottom() - bar_h);

  // Headers: a swatch in the method's colour and the method, one size for every panel; a spec too long for one
  // line at kTwoLinePt goes on two ("fastv" / "k=2,r=0.5"). Then the layer's tokens.
  QStringList names, kinds, params, subs;
  for (const ComparePanel& c : panels) {
    names << c.method;
    kinds << c.method.section(':', 0, 0);
    params << c.method.section(':', 1);
    const int i = panel_index(c.trace, layer);
    subs << (i >= 0 ? visual_tokens_text(c.trace, c.trace.layers[size_t(i)]) : QString("no trace"));
  }
  // The lines under the names at one size that fits every panel; when none does, the short form "144 (12x12)".
  const double panel_w = body.width() / double(panels.size()) - kPad;
  double sub_pt = fitting_size(p, subs + params, panel_w, kTickPt);
  if (sub_pt == 0) {
    for (size_t k = 0; k < panels.size(); ++k) {
      const int i = panel_index(panels[k].trace, layer);
      if (i >= 0) subs[int(k)] = layer_caption(panels[k].trace.layers[size_t(i)]);
    }
    sub_pt = std::max(kSmallestPt, fitting_size(p, subs + params, panel_w, kTickPt));
  }
  const QFont sub_font = figure_font(p, sub_pt);
  const QFontMetricsF sfm = figure_metrics(p, sub_font);
  const double one_row_w = panel_w - kSwatch - 3;
  double name_pt = fitting_size(p, names, one_row_w, kLabelPt, kTwoLinePt, true);
  const bool two_lines = name_pt == 0;
  if (two_lines) name_pt = std::max(kSmallestPt, fitting_size(p, kinds, one_row_w, kLabelPt, kSmallestPt, true));
  const QFont name_font = figure_font(p, name_pt, true);
  const QFontMetricsF nfm = figure_metrics(p, name_font);
  const double name_h = nfm.height();
  const double header_h = name_h + (two_lines ? sfm.height() : 0) + sfm.height() + 1;
  const Grid g = grid_for(body.width(), body.height(), int(panels.size()), header_h);
  const double cell_w = body.width() / g.columns, cell_h = body.height() / g.rows;
  for (size_t k = 0; k < panels.size(); ++k) {
    const ComparePanel& c = panels[k];
    const QRectF cell(body.left() + (k % g.columns) * cell_w, body.top() + (k / g.columns) * cell_h, cell_w, cell_h);
    const QRectF inner = cell.adjusted(kPad / 2, 0, -kPad / 2, 0);
    const int i = panel_index(c.trace, layer);
    p.setFont(name_font);
    const QString name = nfm.elidedText(two_lines ? kinds[int(k)] : c.method, Qt::ElideRight, inner.width() - kSwatch - 3);
    const double total = kSwatch + 3 + nfm.horizontalAdvance(name);
    const double x0 = inner.center().x() - total / 2;
    p.fillRect(QRectF(x0, inner.top() + (name_h - kSwatch) / 2, kSwatch, kSwatch), method_style(c.method).color);
    p.setPen(QColor(20, 20, 20));
    draw_text(p, QRectF(x0 + kSwatch + 3, inner.top(), total - kSwatch - 3 + 1, name_h), Qt::AlignLeft | Qt::AlignVCenter,
              name, &layout);
    p.setFont(sub_font);
    double y = inner.top() + name_h;
    if (two_lines) {
      draw_text(p, QRectF(inner.left(), y, inner.width(), sfm.height()), Qt::AlignHCenter | Qt::AlignTop,
                sfm.elidedText(params[int(k)], Qt::ElideRight, inner.width()), &layout);
      y += sfm.height();
    }
    draw_text(p, QRectF(inner.left(), y, inner.width(), sfm.height()), Qt::AlignHCenter | Qt::AlignTop,
              sfm.elidedText(subs[int(k)], Qt::ElideRight, inner.width()), &layout);
    TokenMapStyle ts;
    ts.caption = false;
    ts.heatmap = heat;
    ts.color_bar = false;
    ts.heat_lo = lo, ts.heat_hi = hi;
    const double side = std::max(0.0, std::min(inner.width(), inner.height() - header_h - kPad));
    const QRectF map(inner.center().x() - side / 2, inner.top() + header_h + 1, side, side);
    layout.add(paint_token_map(p, map, c.image, c.trace, i, ts));
  }
  if (heat) draw_color_bar(p, QRectF(area.left(), body.bottom(), area.width(), bar_h), lo, hi, bar_text, &layout);
  p.restore();
  return layout;
}

}  // namespace dpn::views

// Draws one layer's surviving visual tokens over the image, placed by the trace's geometry.
#include "views/figures/token_map_figure.h"

#include <QPaintDevice>
#include <algorithm>
#include <cmath>
#include <vector>

#include "views/figures/color_bar.h"
#include "views/figures/figure.h"
#include "views/figures/figure_text.h"
#include "views/input_image.h"

namespace dpn::views {

namespace {
const QColor kPad(122, 116, 104);            // LLaVA pads with the CLIP mean colour
const QColor kDimmed(0, 0, 0, 170);          // dropped tokens over the plain map
const QColor kFaded(255, 255, 255, 205);     // dropped tokens over the heatmap (inferno's dark end means "low")
constexpr int kHeatAlpha = 190;              // the heatmap over the image
constexpr double kPrintDpi = 300;            // vector files: the resolution images are judged at

bool has_heat(const RunTrace& t, int layer, const TokenMapStyle& s) {
  if (!s.heatmap || layer < 0 || layer >= int(t.layers.size())) return false;
  const LayerTrace& l = t.layers[size_t(layer)];
  return !l.attention.empty() && l.attention.size() == l.regions.size();
}

QString caption_text(const RunTrace& t, int layer, const TokenMapStyle& s) {
  if (!s.title.isEmpty()) return s.title;
  if (!s.caption) return {};
  if (layer < 0 || layer >= int(t.layers.size())) return "no trace";
  const LayerTrace& l = t.layers[size_t(layer)];
  return QString("layer %1 \u00b7 %2").arg(l.layer).arg(visual_tokens_text(t, l));
}

// Per base-grid cell (row-major): 1 when a surviving token covers it. Uncovered cells were dropped (FastV), or the
// trace is incomplete.
std::vector<char> coverage(const RunTrace& t, const LayerTrace& l) {
  const int gh = std::max(0, t.image.grid_h), gw = std::max(0, t.image.grid_w);
  std::vector<char> covered(size_t(gh) * gw, 0);
  for (const TokenRegion& r : l.regions)
    for (int i : covered_cells(r, gh, gw)) covered[size_t(i)] = 1;
  return covered;
}

bool drops_tokens(const RunTrace& t, const LayerTrace& l) {
  const std::vector<char> c = coverage(t, l);
  return std::find(c.begin(), c.end(), 0) != c.end();
}

QString statement(const RunTrace& t, int layer, const TokenMapStyle& s) {
  const LayerTrace& l = t.layers[size_t(layer)];
  QString text = "Colour: " + attention_statement(l.layer, s.heads) + "; image in grey.";
  if (drops_tokens(t, l)) text += " Faded: dropped.";
  return text;
}

}  // namespace

QString layer_caption(const LayerTrace& l) {
  QString s = QString::number(l.visual);
  if (l.grid_h > 0 && l.grid_w > 0) s += QString(" (%1x%2)").arg(l.grid_h).arg(l.grid_w);
  return s;
}

QString visual_tokens_text(const RunTrace& t, const LayerTrace& l) {
  const int base = t.image.grid_h * t.image.grid_w;
  if (l.grid_h <= 0 && base > 0 && l.visual < base) return QString("%1 of %2 visual tokens").arg(l.visual).arg(base);
  QString s = QString("%1 visual tokens").arg(l.visual);
  if (l.grid_h > 0 && l.grid_w > 0) s += QString(" (%1x%2)").arg(l.grid_h).arg(l.grid_w);
  return s;
}

QString attention_statement(int layer, int heads) {
  return QString("attention each visual token receives from the last prompt token at layer %1 (prefill, mean over %2)")
      .arg(layer)
      .arg(heads > 0 ? QString("%1 heads").arg(heads) : QString("heads"));
}

double token_map_height(const QPainter& p, double width, const RunTrace& trace, int layer, const TokenMapStyle& style) {
  double h = width + title_height(p, width, caption_text(trace, layer, style));
  if (has_heat(trace, layer, style) && style.color_bar) h += color_bar_height(p, width, statement(trace, layer, style));
  return h;
}

FigureLayout paint_token_map(QPainter& p, const QRectF& area, const QImage& image, const RunTrace& trace, int layer,
                             const TokenMapStyle& style) {
  FigureLayout layout{area, {}, {}, {}};
  p.save();
  p.setRenderHint(QPainter::Antialiasing, false);
  const bool have_layer = layer >= 0 && layer < int(trace.layers.size());
  const bool heat = has_heat(trace, layer, style);
  QRectF box = area;
  const QString caption = caption_text(trace, layer, style);
  box.setTop(box.top() + draw_title(p, area, caption, &layout));
  QString bar_text;
  double bar_h = 0;
  if (heat && style.color_bar) {
    bar_text = statement(trace, layer, style);
    bar_h = color_bar_height(p, box.width(), bar_text);
  }
  const double side = std::max(0.0, std::min(box.width(), box.height() - bar_h));
  const QRectF sq(box.center().x() - side / 2, box.top(), side, side);
  layout.data.push_back(sq);
  p.fillRect(sq, kPad);
  // Where the image and the cells go comes from the trace only (views/input_image.h).
  const InputLayout geo = input_layout(trace.image, sq);
  if (image.isNull() || !geo.valid()) {
    p.setPen(Qt::white);
    p.setFont(figure_font(p, kTickPt));
    p.drawText(sq, Qt::AlignCenter | Qt::TextWordWrap, image.isNull() ? "no image" : "no image geometry in the trace");
    p.restore();
    return layout;
  }
  const QRectF img = geo.image;
  // Upscaled images keep their pixels sharp (nearest neighbour); downscaled ones are filtered. Vector files are
  // judged at print resolution.
  const int dev = p.device() ? p.device()->devType() : QInternal::Image;
  const bool raster = dev == QInternal::Image || dev == QInternal::Pixmap || dev == QInternal::Widget;
  const double device_px = raster ? img.width() * std::hypot(p.transform().m11(), p.transform().m12())
                                  : img.width() * kPrintDpi / 72;
  p.setRenderHint(QPainter::SmoothPixmapTransform, device_px < image.width());
  // Under the heatmap the image is grey, so that every hue on the map is the colour scale's.
  p.drawImage(img, heat ? image.convertToFormat(QImage::Format_Grayscale8) : image);
  const int gh = geo.grid_h, gw = geo.grid_w;
  if (!have_layer) {
    p.restore();
    return layout;
  }
  const LayerTrace& l = trace.layers[size_t(layer)];
  auto cell_rect = [&](const TokenRegion& r) { return geo.cells(r); };
  // Dim the base cells no surviving token covers.
  const std::vector<char> covered = coverage(trace, l);
  for (int i = 0; i < gh; ++i)
    for (int j = 0; j < gw; ++j)
      if (!covered[size_t(i) * gw + j]) p.fillRect(cell_rect({i, j, i + 1, j + 1, {}}), heat ? kFaded : kDimmed);
  double lo = style.heat_lo, hi = style.heat_hi;
  if (heat) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
      lo = *std::min_element(l.attention.begin(), l.attention.end());
      hi = *std::max_element(l.attention.begin(), l.attention.end());
    }
    for (size_t i = 0; i < l.regions.size(); ++i) {
      QColor c = heat_color(hi > lo ? (l.attention[i] - lo) / (hi - lo) : 0.5);
      c.setAlpha(kHeatAlpha);
      p.fillPath(geo.area(l.regions[i]), c);  // a merge of scattered cells: those cells only
    }
  }
  if (style.cells) {
    const double w = std::clamp(side / 400, 0.3, 1.0);
    p.setPen(QPen(QColor(255, 255, 255, 210), w));
    p.setBrush(Qt::NoBrush);
    for (const TokenRegion& r : l.regions)
      if (r.cells.empty()) p.drawRect(cell_rect(r).adjusted(w / 2, w / 2, -w / 2, -w / 2));
      else p.drawPath(geo.area(r));  // a merge of scattered cells: their outline
  }
  if (!bar_text.isEmpty())
    draw_color_bar(p, QRectF(box.left(), sq.bottom(), box.width(), bar_h), lo, hi, bar_text, &layout);
  p.restore();
  return layout;
}

}  // namespace dpn::views

// Draws one layer's surviving visual tokens over the image.
#include "views/figures/token_map_figure.h"

#include <QFontMetricsF>
#include <algorithm>
#include <vector>

#include "views/figures/figure.h"
#include "views/input_image.h"

namespace dpn::views {

QString layer_caption(const LayerTrace& l) {
  QString s = QString::number(l.visual);
  if (l.grid_h > 0 && l.grid_w > 0) s += QString(" (%1x%2)").arg(l.grid_h).arg(l.grid_w);
  return s;
}

void paint_token_map(QPainter& p, const QRectF& area, const QImage& image, const RunTrace& trace, int layer,
                     const TokenMapStyle& style) {
  p.save();
  p.setRenderHint(QPainter::Antialiasing, false);
  QRectF box = area;
  QFont font = p.font();
  font.setPointSizeF(std::clamp(area.width() / 40, 6.0, 10.0));
  p.setFont(font);
  const double lh = QFontMetricsF(font).height() + 2;
  const bool have_layer = layer >= 0 && layer < int(trace.layers.size());
  if (style.caption) {
    QString cap = have_layer ? QString("layer %1 \u00b7 %2 visual tokens").arg(trace.layers[layer].layer)
                                   .arg(layer_caption(trace.layers[layer]))
                             : QString("no trace");
    p.setPen(QColor(30, 30, 30));
    p.drawText(QRectF(box.left(), box.top(), box.width(), lh), Qt::AlignCenter, cap);
    box.setTop(box.top() + lh);
  }
  const double side = std::min(box.width(), box.height());
  QRectF sq(box.center().x() - side / 2, box.center().y() - side / 2, side, side);
  p.fillRect(sq, QColor(122, 116, 104));  // LLaVA pads with the CLIP mean colour
  // Where the image and the cells go comes from the trace only (views/input_image.h); the image is the model's
  // unrotated pixels.
  const InputLayout geo = input_layout(trace.image, sq);
  if (image.isNull() || !geo.valid()) {
    p.setPen(Qt::white);
    p.drawText(sq, Qt::AlignCenter | Qt::TextWordWrap, image.isNull() ? "no image" : "no trace");
    p.restore();
    return;
  }
  p.setRenderHint(QPainter::SmoothPixmapTransform, true);
  p.drawImage(geo.image, image);
  if (!have_layer) {
    p.restore();
    return;
  }
  const int gh = geo.grid_h, gw = geo.grid_w;
  const LayerTrace& l = trace.layers[layer];
  // Dim the base cells no surviving token covers (FastV drops, or an incomplete trace).
  std::vector<char> covered(size_t(gh) * gw, 0);
  for (const TokenRegion& r : l.regions)
    for (int i : covered_cells(r, gh, gw)) covered[size_t(i)] = 1;
  for (int i = 0; i < gh; ++i)
    for (int j = 0; j < gw; ++j)
      if (!covered[size_t(i) * gw + j]) p.fillRect(geo.cells({i, j, i + 1, j + 1, {}}), QColor(0, 0, 0, 170));
  if (style.heatmap && l.attention.size() == l.regions.size() && !l.attention.empty()) {
    float lo = *std::min_element(l.attention.begin(), l.attention.end());
    float hi = *std::max_element(l.attention.begin(), l.attention.end());
    for (size_t i = 0; i < l.regions.size(); ++i) {
      QColor c = heat_color(hi > lo ? (l.attention[i] - lo) / (hi - lo) : 0.5);
      c.setAlpha(150);
      p.fillPath(geo.area(l.regions[i]), c);
    }
  }
  if (style.cells) {
    p.setPen(QPen(QColor(255, 255, 255, 200), std::max(1.0, side / 400)));
    p.setBrush(Qt::NoBrush);
    for (const TokenRegion& r : l.regions)
      if (r.cells.empty()) p.drawRect(geo.cells(r).adjusted(0.5, 0.5, -0.5, -0.5));
      else p.drawPath(geo.area(r));  // a merge of scattered cells: their outline
  }
  p.restore();
}

}  // namespace dpn::views

// Draws the thumbnails strip and maps clicks back to layers.
#include "views/figures/token_strip_figure.h"

#include <cmath>

#include "views/figures/figure.h"
#include "views/figures/token_map_figure.h"

namespace dpn::views {

namespace {
constexpr double kCaption = 14;  // caption line under each thumbnail, px
}

StripLayout strip_layout(const QRectF& area, int count) {
  StripLayout s;
  if (count <= 0) return s;
  // Choose the column count giving the biggest square thumbnails that fit.
  double best = 0;
  for (int c = 1; c <= count; ++c) {
    int r = (count + c - 1) / c;
    double side = std::min(area.width() / c, area.height() / r - kCaption);
    if (side > best) best = side, s.columns = c, s.rows = r;
  }
  s.cell_w = area.width() / s.columns;
  s.cell_h = area.height() / s.rows;
  return s;
}

QRectF StripLayout::cell(const QRectF& area, int index) const {
  return QRectF(area.left() + (index % columns) * cell_w, area.top() + (index / columns) * cell_h, cell_w, cell_h);
}

void paint_token_strip(QPainter& p, const QRectF& area, const QImage& image, const RunTrace& trace, int selected) {
  const int n = int(trace.layers.size());
  if (n == 0) {
    p.setPen(QColor(90, 90, 90));
    p.drawText(area, Qt::AlignCenter, "run a question to see the token pyramid");
    return;
  }
  StripLayout s = strip_layout(area, n);
  TokenMapStyle style;
  style.caption = false;
  QFont font = p.font();
  font.setPointSizeF(7.5);
  for (int i = 0; i < n; ++i) {
    QRectF c = s.cell(area, i).adjusted(2, 2, -2, -2);
    QRectF thumb(c.left(), c.top(), c.width(), c.height() - kCaption);
    paint_token_map(p, thumb, image, trace, i, style);
    p.setFont(font);
    p.setPen(QColor(30, 30, 30));
    p.drawText(QRectF(c.left(), c.bottom() - kCaption, c.width(), kCaption), Qt::AlignCenter,
               QString("L%1 \u00b7 %2").arg(trace.layers[i].layer).arg(trace.layers[i].visual));
    if (i == selected) {
      p.setPen(QPen(series_color(1), 2.5));
      p.setBrush(Qt::NoBrush);
      p.drawRect(c.adjusted(-1, -1, 1, 1));
    }
  }
}

int token_strip_hit(const QRectF& area, int count, const QPointF& pos) {
  if (count <= 0 || !area.contains(pos)) return -1;
  StripLayout s = strip_layout(area, count);
  int col = int((pos.x() - area.left()) / s.cell_w), row = int((pos.y() - area.top()) / s.cell_h);
  int i = row * s.columns + col;
  return i < count ? i : -1;
}

}  // namespace dpn::views

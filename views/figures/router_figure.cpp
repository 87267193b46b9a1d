// Draws one bar group per DPE layer.
#include "views/figures/router_figure.h"

#include <QFontMetricsF>

#include "views/figures/figure.h"

namespace dpn::views {

void paint_routers(QPainter& p, const QRectF& area, const std::vector<RouterTrace>& routers) {
  p.save();
  QFont font = p.font();
  font.setPointSizeF(8.5);
  p.setFont(font);
  const double lh = QFontMetricsF(font).height();
  if (routers.empty()) {
    p.setPen(QColor(90, 90, 90));
    p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, "no DPE routers in this run (method dpn on a DPN model)");
    p.restore();
    return;
  }
  const double gw = area.width() / routers.size();
  for (size_t g = 0; g < routers.size(); ++g) {
    const RouterTrace& r = routers[g];
    QRectF box(area.left() + g * gw + 6, area.top(), gw - 12, area.height());
    p.setPen(QColor(30, 30, 30));
    QString head = QString("layer %1").arg(r.layer);
    if (r.grid_before_h) head += QString("  %1x%2\u2192%3x%4").arg(r.grid_before_h).arg(r.grid_before_w)
                                     .arg(r.grid_after_h).arg(r.grid_after_w);
    p.drawText(QRectF(box.left(), box.top(), box.width(), lh), Qt::AlignCenter, head);
    QRectF plot(box.left(), box.top() + lh * 2.2, box.width(), box.height() - lh * 4.4);
    p.setPen(QColor(200, 200, 200));
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    const int n = int(r.probs.size());
    const double bw = n ? plot.width() / n : 0;
    for (int e = 0; e < n; ++e) {
      const double h = std::max(0.0, double(r.probs[e])) * plot.height();
      QRectF bar(plot.left() + e * bw + bw * 0.15, plot.bottom() - h, bw * 0.7, h);
      const bool chosen = e == r.chosen;
      p.fillRect(bar, chosen ? (r.overridden ? series_color(2) : series_color(1)) : QColor(160, 174, 192));
      p.setPen(QColor(30, 30, 30));
      p.drawText(QRectF(bar.left() - 10, bar.top() - lh - 1, bar.width() + 20, lh), Qt::AlignCenter,
                 QString::number(r.probs[e], 'f', 2));
      QString name = e < int(r.experts.size())
                         ? QString("%1x%2").arg(r.experts[e].first).arg(r.experts[e].second)
                         : QString("e%1").arg(e);
      QFont f = font;
      f.setBold(chosen);
      p.setFont(f);
      p.drawText(QRectF(bar.left() - 10, plot.bottom() + 2, bar.width() + 20, lh), Qt::AlignCenter, name);
      p.setFont(font);
    }
    if (r.overridden) {
      p.setPen(series_color(2));
      p.drawText(QRectF(box.left(), box.bottom() - lh, box.width(), lh), Qt::AlignCenter, "forced (what-if)");
    }
  }
  p.restore();
}

}  // namespace dpn::views

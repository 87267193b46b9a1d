// Draws expert choices as 100% stacked bars grouped by layer.
#include "views/figures/expert_frequency_figure.h"

#include <QFontMetricsF>
#include <numeric>

#include "views/figures/figure.h"

namespace dpn::views {

void paint_expert_frequencies(QPainter& p, const QRectF& area, const std::vector<ExpertFrequency>& rows) {
  p.save();
  QFont font = p.font();
  font.setPointSizeF(8.5);
  p.setFont(font);
  const double lh = QFontMetricsF(font).height();
  p.setPen(QColor(30, 30, 30));
  QFont bold = font;
  bold.setBold(true);
  p.setFont(bold);
  p.drawText(QRectF(area.left(), area.top(), area.width(), lh * 1.5), Qt::AlignCenter,
             "Expert chosen per DPE layer and question family");
  p.setFont(font);
  if (rows.empty()) {
    p.setPen(QColor(90, 90, 90));
    p.drawText(area, Qt::AlignCenter, "no router decisions stored (DPN runs only)");
    p.restore();
    return;
  }
  QRectF plot(area.left() + 10, area.top() + lh * 2, area.width() - 20, area.height() - lh * 5);
  const double bw = plot.width() / rows.size();
  int experts = 0;
  for (const ExpertFrequency& r : rows) experts = std::max(experts, int(r.counts.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    const ExpertFrequency& r = rows[i];
    const int total = std::accumulate(r.counts.begin(), r.counts.end(), 0);
    double y = plot.bottom();
    for (size_t e = 0; e < r.counts.size(); ++e) {
      double h = total ? plot.height() * r.counts[e] / total : 0;
      p.fillRect(QRectF(plot.left() + i * bw + bw * 0.1, y - h, bw * 0.8, h), series_color(int(e)));
      y -= h;
    }
    p.setPen(QColor(30, 30, 30));
    p.drawText(QRectF(plot.left() + i * bw, plot.bottom() + 2, bw, lh), Qt::AlignCenter, QString("L%1").arg(r.layer));
    p.drawText(QRectF(plot.left() + i * bw, plot.bottom() + lh + 2, bw, lh), Qt::AlignCenter,
               QFontMetricsF(font).elidedText(r.family, Qt::ElideRight, bw));
  }
  for (int e = 0; e < experts; ++e) {
    QRectF sw(area.left() + 10 + e * 90, area.bottom() - lh, 10, 10);
    p.fillRect(sw, series_color(e));
    p.drawText(QRectF(sw.right() + 4, sw.top() - 2, 80, lh), Qt::AlignLeft, QString("expert %1").arg(e));
  }
  p.restore();
}

}  // namespace dpn::views

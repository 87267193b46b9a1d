// The heatmap's colour scale as a vector gradient, ticks at its ends and middle, and the aggregation statement.
#include "views/figures/color_bar.h"

#include <QLinearGradient>
#include <algorithm>
#include <cmath>

#include "views/figures/figure.h"
#include "views/figures/figure_text.h"

namespace dpn::views {

namespace {
constexpr double kBarH = 6;     // points
constexpr double kGap = 2;
constexpr double kTopGap = 4;   // between what is above and the bar
constexpr int kStatementLines = 4;

QString value_text(double v) { return QString::number(v, 'g', 2); }
}  // namespace

double color_bar_height(const QPainter& p, double width, const QString& statement) {
  const QFontMetricsF tfm = figure_metrics(p, figure_font(p, kTickPt));
  return kTopGap + kBarH + 2 + tfm.height() + kGap +
         wrap_lines(tfm, statement, width, kStatementLines).size() * tfm.height();
}

void draw_color_bar(QPainter& p, const QRectF& area, double lo, double hi, const QString& statement,
                    FigureLayout* layout) {
  p.save();
  const QFont font = figure_font(p, kTickPt);
  const QFontMetricsF tfm = figure_metrics(p, font);
  p.setFont(font);
  // The bar spans the area less half of the end labels, so they stay inside.
  const double half = std::max(tfm.horizontalAdvance(value_text(lo)), tfm.horizontalAdvance(value_text(hi))) / 2 + 1;
  const QRectF bar(area.left() + half, area.top() + kTopGap, std::max(1.0, area.width() - 2 * half), kBarH);
  QLinearGradient g(bar.topLeft(), bar.topRight());
  for (int i = 0; i <= 8; ++i) g.setColorAt(i / 8.0, heat_color(i / 8.0));
  p.setPen(QPen(QColor(60, 60, 60), 0.4));
  p.setBrush(g);
  p.drawRect(bar);
  if (layout) layout->legends.push_back(bar);
  p.setPen(QColor(30, 30, 30));
  const double ty = bar.bottom() + 2;
  const double mid = (lo + hi) / 2;
  const double xs[3] = {bar.left(), bar.center().x(), bar.right()};
  const double vs[3] = {lo, mid, hi};
  for (int i = 0; i < 3; ++i) {
    const QString t = value_text(vs[i]);
    const double w = tfm.horizontalAdvance(t);
    if (i == 1 && (!(hi > lo) || bar.width() / 2 < half + w / 2 + 3)) continue;  // no room between the ends
    p.setPen(QPen(QColor(60, 60, 60), 0.5));
    p.drawLine(QPointF(xs[i], bar.bottom()), QPointF(xs[i], bar.bottom() + 1.5));
    p.setPen(QColor(30, 30, 30));
    draw_text(p, QRectF(xs[i] - w / 2 - 0.5, ty, w + 1, tfm.height()), Qt::AlignHCenter | Qt::AlignTop, t, layout);
  }
  double y = ty + tfm.height() + kGap;
  p.setPen(QColor(50, 50, 50));
  for (const QString& line : wrap_lines(tfm, statement, area.width(), kStatementLines)) {
    draw_text(p, QRectF(area.left(), y, area.width(), tfm.height()), Qt::AlignHCenter | Qt::AlignTop, line, layout);
    y += tfm.height();
  }
  p.restore();
}

}  // namespace dpn::views

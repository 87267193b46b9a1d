// Chart axes shared by the tokens-versus-depth and accuracy-versus-FLOPs figures.
#include "views/figures/chart_frame.h"

#include <QFontMetricsF>
#include <QList>
#include <QStringList>
#include <cmath>

namespace dpn::views {

namespace {
double nice_step(double span, int target) {
  double raw = span / target, mag = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}
QString tick_text(double v) {
  if (std::fabs(v) >= 1e4 || (std::fabs(v) < 1e-2 && v != 0)) return QString::number(v, 'g', 3);
  return QString::number(v, 'g', 4);
}
}  // namespace

ChartFrame draw_chart_frame(QPainter& p, const QRectF& area, const QString& title, const QString& x_label,
                            const QString& y_label, double x0, double x1, double y0, double y1, bool integer_x) {
  if (!(x1 > x0)) x0 -= 1, x1 += 1;
  if (!(y1 > y0)) y0 -= 1, y1 += 1;
  const double xs = integer_x ? std::max(1.0, std::ceil(nice_step(x1 - x0, 8))) : nice_step(x1 - x0, 6);
  const double ys = nice_step(y1 - y0, 5);
  ChartFrame f;
  f.x0 = std::floor(x0 / xs) * xs;
  f.x1 = std::ceil(x1 / xs) * xs;
  f.y0 = std::floor(y0 / ys) * ys;
  f.y1 = std::ceil(y1 / ys) * ys;

  QFont font = p.font();
  font.setPointSizeF(9);
  p.setFont(font);
  QFontMetricsF fm(font);
  double label_w = 0;
  for (double y = f.y0; y <= f.y1 + ys / 2; y += ys) label_w = std::max(label_w, fm.horizontalAdvance(tick_text(y)));
  const double lh = fm.height();
  f.plot = QRectF(area.left() + label_w + lh + 14, area.top() + lh * 1.8, 0, 0);
  f.plot.setRight(area.right() - 12);
  f.plot.setBottom(area.bottom() - lh * 2.4 - 6);

  p.save();
  p.setRenderHint(QPainter::Antialiasing, false);
  p.fillRect(f.plot, Qt::white);
  QFont tf = font;
  tf.setBold(true);
  tf.setPointSizeF(10);
  p.setFont(tf);
  p.setPen(QColor(30, 30, 30));
  p.drawText(QRectF(area.left(), area.top(), area.width(), lh * 1.6), Qt::AlignCenter, title);
  p.setFont(font);
  for (double y = f.y0; y <= f.y1 + ys / 2; y += ys) {
    QPointF a = f.map(f.x0, y);
    p.setPen(QColor(225, 225, 225));
    p.drawLine(a, QPointF(f.plot.right(), a.y()));
    p.setPen(QColor(60, 60, 60));
    p.drawText(QRectF(f.plot.left() - label_w - 8, a.y() - lh / 2, label_w + 4, lh), Qt::AlignRight | Qt::AlignVCenter,
               tick_text(y));
  }
  for (double x = f.x0; x <= f.x1 + xs / 2; x += xs) {
    QPointF a = f.map(x, f.y0);
    p.setPen(QColor(235, 235, 235));
    p.drawLine(a, QPointF(a.x(), f.plot.top()));
    p.setPen(QColor(60, 60, 60));
    p.drawText(QRectF(a.x() - 40, f.plot.bottom() + 3, 80, lh), Qt::AlignHCenter | Qt::AlignTop, tick_text(x));
  }
  p.setPen(QColor(90, 90, 90));
  p.setBrush(Qt::NoBrush);
  p.drawRect(f.plot);
  p.setPen(QColor(30, 30, 30));
  p.drawText(QRectF(f.plot.left(), f.plot.bottom() + lh + 4, f.plot.width(), lh + 4), Qt::AlignCenter, x_label);
  p.translate(area.left() + 2, f.plot.center().y());
  p.rotate(-90);
  p.drawText(QRectF(-f.plot.height() / 2, 0, f.plot.height(), lh + 2), Qt::AlignCenter, y_label);
  p.restore();
  return f;
}

void draw_legend(QPainter& p, const ChartFrame& frame, const QStringList& names, const QList<QColor>& colors) {
  if (names.isEmpty()) return;
  p.save();
  QFont font = p.font();
  font.setPointSizeF(9);
  p.setFont(font);
  QFontMetricsF fm(font);
  double w = 0;
  for (const QString& n : names) w = std::max(w, fm.horizontalAdvance(n));
  const double lh = fm.height() + 2;
  QRectF box(frame.plot.right() - w - 34, frame.plot.top() + 6, w + 28, lh * names.size() + 6);
  p.setPen(QColor(180, 180, 180));
  p.setBrush(QColor(255, 255, 255, 230));
  p.drawRect(box);
  for (int i = 0; i < names.size(); ++i) {
    double y = box.top() + 3 + i * lh;
    p.fillRect(QRectF(box.left() + 6, y + lh / 2 - 2, 14, 4), colors.value(i, Qt::black));
    p.setPen(QColor(30, 30, 30));
    p.drawText(QRectF(box.left() + 24, y, w + 4, lh), Qt::AlignLeft | Qt::AlignVCenter, names[i]);
  }
  p.restore();
}

}  // namespace dpn::views

// The method and expert encodings shared by every figure.
#include "views/figures/palette.h"

#include <QPainterPath>
#include <QPolygonF>
#include <algorithm>
#include <cmath>

namespace dpn::views {

namespace {
struct MethodEntry {
  const char* kind;
  QColor color;
  Qt::PenStyle dash;
  QVector<qreal> pattern;
  Marker marker;
};
// Okabe & Ito (2008), "Color Universal Design". The baseline is black; DPN gets the strongest hue.
const MethodEntry kMethods[] = {
    {"none", QColor(0, 0, 0), Qt::SolidLine, {}, Marker::circle},
    {"dpn", QColor(213, 94, 0), Qt::SolidLine, {}, Marker::square},  // vermillion
    {"static", QColor(230, 159, 0), Qt::CustomDashLine, {4, 2}, Marker::diamond},  // orange
    {"fastv", QColor(0, 114, 178), Qt::CustomDashLine, {1.5, 1.5}, Marker::triangle_up},  // blue
    {"tokenpacker", QColor(0, 158, 115), Qt::CustomDashLine, {5, 1.5, 1.5, 1.5}, Marker::triangle_down},  // green
    {"visionzip", QColor(204, 121, 167), Qt::CustomDashLine, {6, 2, 1.5, 2, 1.5, 2}, Marker::cross},  // purple
    {"pdrop", QColor(86, 180, 233), Qt::CustomDashLine, {8, 2.5}, Marker::plus},  // sky blue
    {"sparsevlm", QColor(240, 228, 66), Qt::CustomDashLine, {2.5, 1.5, 2.5, 4}, Marker::star},  // yellow
};
const Marker kVariantMarkers[] = {Marker::circle, Marker::square, Marker::diamond, Marker::triangle_up,
                                  Marker::triangle_down, Marker::cross, Marker::plus, Marker::star};
}  // namespace

QString method_kind(const QString& spec) {
  // The word before the parameters; a label may lead with the model ("demo-base fastv:k=1").
  QString k = spec.section(':', 0, 0).trimmed().section(' ', -1).toLower();
  if (k == "pyramiddrop" || k == "pyramid_drop") k = "pdrop";
  return k;
}

SeriesStyle method_style(const QString& spec, int variant) {
  const QString kind = method_kind(spec);
  SeriesStyle s{QColor(120, 120, 120), Qt::CustomDashLine, {3, 1.5, 1, 1.5}, Marker::circle};
  for (const MethodEntry& m : kMethods)
    if (kind == m.kind) s = {m.color, m.dash, m.pattern, m.marker};
  if (variant > 0) {
    const int n = int(std::size(kVariantMarkers));
    const int at = int(std::find(kVariantMarkers, kVariantMarkers + n, s.marker) - kVariantMarkers);
    s.marker = kVariantMarkers[(at + variant) % n];
  }
  return s;
}

QColor expert_color(int kh, int kw) {
  // Pooling strength as log2 of the kernel area: 1x1 -> 0, 2x2 -> 2, 4x4 -> 4, 8x8 -> 6.
  const double strength = std::log2(std::max(1, kh) * std::max(1, kw));
  const int v = int(std::lround(std::clamp(232.0 - strength * 32.0, 40.0, 232.0)));
  return QColor(v, v, v);
}

QString expert_name(int kh, int kw, int index) {
  if (kh > 0 && kw > 0) return QString("%1x%2").arg(kh).arg(kw);
  return QString("expert %1").arg(index);
}

void draw_marker(QPainter& p, Marker m, const QPointF& c, double size, const QColor& edge, const QColor& fill) {
  const double r = size / 2;
  p.save();
  p.setPen(QPen(edge, std::max(0.6, size / 7), Qt::SolidLine, Qt::RoundCap, Qt::MiterJoin));
  p.setBrush(fill);
  switch (m) {
    case Marker::circle:
      p.drawEllipse(c, r * 0.95, r * 0.95);
      break;
    case Marker::square:
      p.drawRect(QRectF(c.x() - r * 0.85, c.y() - r * 0.85, r * 1.7, r * 1.7));
      break;
    case Marker::diamond:
      p.drawPolygon(QPolygonF({c + QPointF(0, -r * 1.1), c + QPointF(r, 0), c + QPointF(0, r * 1.1), c + QPointF(-r, 0)}));
      break;
    case Marker::triangle_up:
      p.drawPolygon(QPolygonF({c + QPointF(0, -r * 1.1), c + QPointF(r, r * 0.8), c + QPointF(-r, r * 0.8)}));
      break;
    case Marker::triangle_down:
      p.drawPolygon(QPolygonF({c + QPointF(0, r * 1.1), c + QPointF(r, -r * 0.8), c + QPointF(-r, -r * 0.8)}));
      break;
    case Marker::cross:
      p.setPen(QPen(edge, std::max(0.9, size / 4.5), Qt::SolidLine, Qt::RoundCap));
      p.drawLine(c + QPointF(-r * 0.8, -r * 0.8), c + QPointF(r * 0.8, r * 0.8));
      p.drawLine(c + QPointF(-r * 0.8, r * 0.8), c + QPointF(r * 0.8, -r * 0.8));
      break;
    case Marker::plus:
      p.setPen(QPen(edge, std::max(0.9, size / 4.5), Qt::SolidLine, Qt::RoundCap));
      p.drawLine(c + QPointF(-r, 0), c + QPointF(r, 0));
      p.drawLine(c + QPointF(0, -r), c + QPointF(0, r));
      break;
    case Marker::star: {
      QPolygonF star;
      for (int i = 0; i < 10; ++i) {
        const double a = -M_PI / 2 + i * M_PI / 5, rr = i % 2 ? r * 0.5 : r * 1.15;
        star << c + QPointF(rr * std::cos(a), rr * std::sin(a));
      }
      p.drawPolygon(star);
      break;
    }
  }
  p.restore();
}

}  // namespace dpn::views

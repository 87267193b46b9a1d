// Colours and marks of the figures. Methods: one fixed colour per method kind in every figure, from the Okabe-Ito
// palette (safe for the common colour-vision deficiencies and in greyscale by marker), each with its own dash pattern
// and marker so that overlapping series stay apart. Experts: a different encoding - a light-to-dark grey ramp by
// pooling strength (1x1 lightest), named by kernel - so that no expert looks like a method.
#pragma once
#include <QColor>
#include <QPainter>
#include <QPointF>
#include <QString>

namespace dpn::views {

enum class Marker { circle, square, diamond, triangle_up, triangle_down, cross, plus, star };

struct SeriesStyle {
  QColor color;
  Qt::PenStyle dash = Qt::SolidLine;
  QVector<qreal> dash_pattern;  // custom pattern (in pen widths) when dash == Qt::CustomDashLine
  Marker marker = Marker::circle;
};

// The kind of a method spec: "fastv:k=2,r=0.5" -> "fastv" (lower case; "pyramiddrop" -> "pdrop").
QString method_kind(const QString& spec);
// The fixed style of a method kind (none, dpn, static, fastv, tokenpacker, visionzip, pdrop, sparsevlm; other kinds
// are grey). `variant` > 0 (a second spec of the same kind in one figure) changes the marker, never the colour.
SeriesStyle method_style(const QString& spec, int variant = 0);

// The grey of a pooling kernel kh x kw: lighter for weaker pooling, the same in every figure.
QColor expert_color(int kh, int kw);
// "2x2"; "expert 1" when the kernel is unknown.
QString expert_name(int kh, int kw, int index);

// A marker of `size` points centred on `c`: filled with `fill` (Qt::white for hollow), outlined in `edge`.
void draw_marker(QPainter& p, Marker m, const QPointF& c, double size, const QColor& edge, const QColor& fill);

}  // namespace dpn::views

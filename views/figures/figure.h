// A figure: one function that paints into a QPainter, plus the metadata exports embed (SVG title/description, PDF
// title). The same function draws the widget on screen and the PNG, SVG and PDF files.
#pragma once
#include <QColor>
#include <QPainter>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <functional>

namespace dpn::views {

struct FigureMeta {
  QString title;        // e.g. "token map - layer 8"
  QString description;  // the run's parameters: model, method, question, image, layer
};

struct Figure {
  std::function<void(QPainter&, const QRectF&)> paint;
  QSizeF size{640, 400};  // natural size in CSS pixels (1/96 inch)
  FigureMeta meta;
  bool valid() const { return bool(paint); }
};

// Ten distinguishable series colours (Tableau 10).
QColor series_color(int index);
// Sequential colour map (inferno-like) for t in [0, 1].
QColor heat_color(double t);
// "1.23 T", "456 G", "7.8 M" for FLOP counts.
QString format_flops(double flops);

}  // namespace dpn::views

// A figure: one function that paints into a QPainter and returns the layout it used, plus the metadata exports embed
// (SVG title/description, PDF title, PNG text chunks). The same function draws the widget on screen and the PNG, SVG
// and PDF files. Figures are drawn in points (1/72 inch): fonts have the same size in points at every DPI, so a
// figure has the same layout at 72 and at 600 DPI (figure_text.h).
#pragma once
#include <QColor>
#include <QList>
#include <QPainter>
#include <QPair>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <functional>
#include <type_traits>
#include <utility>

#include "views/figures/figure_layout.h"

namespace dpn::views {

struct FigureMeta {
  QString title;        // e.g. "token map - layer 8"
  QString description;  // the run's parameters: model, method, question, image, layer ("" = made from params)
  QList<QPair<QString, QString>> params;  // the same as key/value pairs (PNG text chunks): model, method, ...
  // `description`, or "key=value; ..." of params when it is empty.
  QString text() const;
};

// The paint function of a figure: draws into `area` (figure units, points when exported) and returns what it drew.
// Callables that return nothing are accepted (they report an empty layout).
class PaintFunction {
 public:
  PaintFunction() = default;
  template <class F, class = std::enable_if_t<std::is_invocable_v<F&, QPainter&, const QRectF&>>>
  PaintFunction(F f) {  // NOLINT: implicit, so that `figure.paint = [](QPainter&, const QRectF&) {...}` works
    if constexpr (std::is_void_v<std::invoke_result_t<F&, QPainter&, const QRectF&>>)
      fn_ = [f = std::move(f)](QPainter& p, const QRectF& r) mutable {
        f(p, r);
        return FigureLayout{r, {}, {}, {}};
      };
    else
      fn_ = std::move(f);
  }
  FigureLayout operator()(QPainter& p, const QRectF& area) const { return fn_(p, area); }
  explicit operator bool() const { return bool(fn_); }

 private:
  std::function<FigureLayout(QPainter&, const QRectF&)> fn_;
};

struct Figure {
  PaintFunction paint;
  QSizeF size{640, 400};  // natural size in CSS pixels (1/96 inch); exports may choose another size
  FigureMeta meta;
  // The height (points) the figure wants at a width (points); unset: keep the aspect ratio of `size`.
  std::function<double(double width_pt)> height_for_width;
  bool valid() const { return bool(paint); }
  // The natural size in points.
  QSizeF size_pt() const { return size * 0.75; }
};

// Ten distinguishable series colours (Tableau 10), for UI accents (profiler). Figures use method_style().
QColor series_color(int index);
// Sequential colour map (inferno) for t in [0, 1].
QColor heat_color(double t);
// "1.23 T", "456 G", "7.8 M" for FLOP counts.
QString format_flops(double flops);

}  // namespace dpn::views

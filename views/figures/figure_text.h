// Text in figures: fonts sized in figure units (points) whatever the paint device's DPI, measured on the device they
// are drawn on, and drawn through one function that reports each item's box to the figure's layout.
//
// Why: QFont's point size is resolved against the device's DPI, and the exports also scale the painter by DPI / 72,
// so a plain 9 pt font grew with the DPI (a 300 DPI PNG clipped its title). figure_font() cancels the device's DPI:
// one font unit is one figure unit, and the export's scale alone makes points physical. Hinting is off so that text
// advances are the same at every size (the layout at 72 DPI is the layout at 600 DPI, scaled).
#pragma once
#include <QFont>
#include <QImage>
#include <QFontMetricsF>
#include <QPainter>
#include <QRectF>
#include <QString>
#include <QStringList>

#include "views/figures/figure_layout.h"

namespace dpn::views {

// Type sizes of the figures, in points (papers use 7-9 pt in figures).
constexpr double kTitlePt = 9;
constexpr double kLabelPt = 8;
constexpr double kTickPt = 7;
constexpr double kSmallestPt = 5;  // text shrinks to fit down to this size, then wraps or is left out

// The font family figures use unless told otherwise (installed with the app's dependencies: fonts-dejavu-core).
QString default_figure_family();
// Prepares a painter for drawing a figure in figure units: the figure font family, antialiased text and lines.
void begin_figure(QPainter& p, const QString& family = {});

// A painter on a 1x1 image at 72 DPI with the figure font, for measuring text outside of a paint (a figure's height
// for a width, hit tests).
class MeasuringPainter {
 public:
  explicit MeasuringPainter(const QString& family = {});
  QPainter& painter() { return painter_; }

 private:
  QImage image_;
  QPainter painter_;
};

// The painter's font family at `points` figure units, for the painter's device.
QFont figure_font(const QPainter& p, double points, bool bold = false);
// Metrics of `font` on the painter's device, in figure units.
QFontMetricsF figure_metrics(const QPainter& p, const QFont& font);

// Draws `text` with the painter's current font in `rect` (Qt::Align* flags, optionally Qt::TextWordWrap) and returns
// the box it occupies, also appended to `layout` when given.
QRectF draw_text(QPainter& p, const QRectF& rect, int flags, const QString& text, FigureLayout* layout);
// Draws `text` rotated 90 degrees counter-clockwise, centred on `centre` (a y-axis label); returns its box.
QRectF draw_vertical_text(QPainter& p, const QPointF& centre, const QString& text, FigureLayout* layout);

// A message instead of a figure ("no routers in this run"): wrapped to `area`'s width (at most three lines) and centred
// in it at the label size.
void draw_message(QPainter& p, const QRectF& area, const QString& text, FigureLayout* layout);

// `text` broken at spaces into lines no wider than `width`, at most `max_lines` (the last one elided if needed).
QStringList wrap_lines(const QFontMetricsF& fm, const QString& text, double width, int max_lines);

// The largest size in [smallest, largest] points at which every one of `texts` is at most `width` wide (stepping by
// half a point), or 0 when none fits.
double fitting_size(const QPainter& p, const QStringList& texts, double width, double largest,
                    double smallest = kSmallestPt, bool bold = false);

// A title wrapped to `width` (at most three lines) drawn centred at the top of `area`; returns the height used.
double draw_title(QPainter& p, const QRectF& area, const QString& title, FigureLayout* layout);
// The height draw_title would use.
double title_height(const QPainter& p, double width, const QString& title);

}  // namespace dpn::views

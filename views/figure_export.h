// Writes Figures to PNG (at a chosen DPI, run parameters in text chunks), SVG (title/description = the run's
// parameters) or PDF (one page, or one page per figure), picked by the file's suffix. Sizes are physical: a figure
// exported 3.3 inches wide has the same layout at 72 and at 600 DPI, only more pixels. The on-screen widget and
// `dpn figure` call the same paint functions.
#pragma once
#include <QImage>
#include <QSizeF>
#include <QString>
#include <vector>

#include "views/figures/figure.h"

namespace dpn::views {

struct ExportOptions {
  QSizeF size_pt;        // page size in points (1/72 inch); empty = the figure's natural size. A zero height with a
                         // width = the figure's height for that width
  int dpi = 300;         // PNG resolution (SVG and PDF are vectors)
  QString font_family;   // "" = default_figure_family()
};

// The size `figure` is exported at with `options`, in points.
QSizeF export_size(const Figure& figure, const ExportOptions& options);

// Draws `figure` into an image at options.dpi (what the PNG export writes), filling `layout` when given. Throws
// dpn::Error (where = "--dpi") for a DPI outside [24, 2400] or an image too large for memory.
QImage render_image(const Figure& figure, const ExportOptions& options, FigureLayout* layout = nullptr);

// Writes one figure; returns the layout the painter used (figure coordinates = points). Throws dpn::Error naming the
// path when the suffix is not png/svg/pdf, the DPI is outside [24, 2400], or the file cannot be written.
FigureLayout export_figure(const Figure& figure, const QString& path, const ExportOptions& options);
// Writes every figure as one page of a PDF, each at its own export_size; returns their layouts.
std::vector<FigureLayout> export_pdf_pages(const std::vector<Figure>& figures, const QString& path,
                                           const ExportOptions& options);
// The natural size at `dpi` (the GUI's exports).
void export_figure(const Figure& figure, const QString& path, double dpi = 144);

// "DPN Studio 0.1.0 (commit 1a2b3c4)": the software that drew a figure, embedded in every file.
QString figure_software();

}  // namespace dpn::views

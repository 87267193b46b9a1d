// The pyramid at a glance: one token-map thumbnail per decoder layer with a caption naming the layer, its visual
// tokens and, below a layer a DPE layer pooled into, the expert's kernel. A title is optional; the selected layer is
// framed on screen only (a UI selection, never in exported files).
#pragma once
#include <QImage>
#include <QPainter>
#include <QRectF>
#include <vector>

#include "dpn.h"
#include "views/figures/figure_layout.h"

namespace dpn::views {

// Grid placement of the thumbnails: `columns` per row, each `cell` wide and tall (square plus two caption lines).
struct StripLayout {
  int columns = 1, rows = 1;
  double cell_w = 0, cell_h = 0;
  QRectF cell(const QRectF& area, int index) const;
};
StripLayout strip_layout(const QRectF& area, int count);

struct PyramidStyle {
  QString title;            // "" = none
  std::vector<int> layers;  // indices into trace.layers to show; empty = all
  int selected = -1;        // index into trace.layers framed on screen (not in files); -1 = none
  int heads = 0;            // unused by the strip; kept for symmetry with TokenMapStyle
};

FigureLayout paint_token_pyramid(QPainter& p, const QRectF& area, const QImage& image, const RunTrace& trace,
                                 const PyramidStyle& style);
// All layers, no title, `selected` framed on screen.
FigureLayout paint_token_strip(QPainter& p, const QRectF& area, const QImage& image, const RunTrace& trace,
                               int selected);

// The caption lines of layer index `i`: "L1 \u00b7 9 (3x3)" and, when a DPE layer pooled into it, "4x4 expert".
QStringList pyramid_caption(const RunTrace& trace, int i);
// The layers a paper figure shows by default: all of up to 12 layers, else the first, every layer whose tokens
// differ from the layer before, and the last.
std::vector<int> default_pyramid_layers(const RunTrace& trace);
// The height the pyramid wants at `width` (points) for `count` thumbnails.
double pyramid_height(double width, int count, bool title);

// The layer index under `pos` (strip of all `count` layers in `area`), or -1.
int token_strip_hit(const QRectF& area, int count, const QPointF& pos);

}  // namespace dpn::views

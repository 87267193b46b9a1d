// The image as the model saw it, and where the model's input lands when it is drawn.
//
// Pixels: LLaVA's Python pipeline decodes with PIL's Image.open(path).convert('RGB'), which does NOT apply the EXIF
// orientation tag, and core does the same (OpenCV with IMREAD_IGNORE_ORIENTATION). The views show those stored
// pixels, unrotated: a phone photo tagged "rotate 90" appears on its side, exactly as the model received it, and
// every token cell lies over the pixels it was computed from.
//
// Geometry: only from the run's trace (RunTrace::image): the padded square, where the original sits in it and the
// base grid; a token covers the base-grid cells of its TokenRegion. Nothing is derived from the QImage's size.
#pragma once
#include <QImage>
#include <QPainterPath>
#include <QRectF>
#include <QString>
#include <vector>

#include "dpn.h"

namespace dpn::views {

// Decodes `path` as the model does (no EXIF rotation, alpha dropped, RGB). A null image and `error` set on failure.
QImage load_input_image(const QString& path, QString* error = nullptr);

// The model's padded input square drawn into `square` (a square rectangle on the canvas).
struct InputLayout {
  QRectF square;          // the whole padded square (padding included)
  QRectF image;           // the original image inside it
  int grid_h = 0, grid_w = 0;
  bool valid() const { return grid_h > 0 && grid_w > 0 && !image.isEmpty(); }
  // The canvas rectangle of base-grid rows [r0, r1) x columns [c0, c1) (a token's bounding rectangle).
  QRectF cells(const TokenRegion& region) const;
  // The canvas area a token covers: its rectangle, or the union of its cells when it covers only some of them (a
  // merge of scattered tokens).
  QPainterPath area(const TokenRegion& region) const;
};

// The row-major base-grid indices a token covers (TokenRegion::cells, else its whole rectangle), inside the grid.
std::vector<int> covered_cells(const TokenRegion& region, int grid_h, int grid_w);

// Invalid (grid 0) when the trace has no image geometry.
InputLayout input_layout(const ImageGeometry& geometry, const QRectF& square);

}  // namespace dpn::views

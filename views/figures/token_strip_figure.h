// The pyramid at a glance: one token-map thumbnail per decoder layer, the selected layer framed.
#pragma once
#include <QImage>
#include <QPainter>
#include <QRectF>

#include "dpn.h"

namespace dpn::views {

// Grid placement of the thumbnails: `columns` per row, each `cell` wide and tall (square plus a caption line).
struct StripLayout {
  int columns = 1, rows = 1;
  double cell_w = 0, cell_h = 0;
  QRectF cell(const QRectF& area, int index) const;
};
StripLayout strip_layout(const QRectF& area, int count);

void paint_token_strip(QPainter& p, const QRectF& area, const QImage& image, const RunTrace& trace, int selected);

// The layer index under `pos`, or -1.
int token_strip_hit(const QRectF& area, int count, const QPointF& pos);

}  // namespace dpn::views

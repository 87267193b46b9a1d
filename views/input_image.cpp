// Decoding as the Python pipeline does and mapping the trace's geometry onto the canvas.
#include "views/input_image.h"

#include <QImageReader>
#include <algorithm>

namespace dpn::views {

QImage load_input_image(const QString& path, QString* error) {
  QImageReader reader(path);
  reader.setAutoTransform(false);  // PIL's open().convert('RGB') ignores the EXIF orientation: so does the model
  QImage img = reader.read();
  if (img.isNull()) {
    if (error) *error = reader.errorString();
    return {};
  }
  // Like convert('RGB'): colour channels kept as stored, alpha discarded (not composited over a background).
  if (img.hasAlphaChannel()) img = img.convertToFormat(QImage::Format_ARGB32).convertToFormat(QImage::Format_RGB32);
  return img.convertToFormat(QImage::Format_RGB32);
}

InputLayout input_layout(const ImageGeometry& g, const QRectF& square) {
  InputLayout l;
  l.square = square;
  if (g.side <= 0 || g.grid_h <= 0 || g.grid_w <= 0) return l;
  const double k = square.width() / g.side;  // canvas units per padded-square pixel
  l.image = QRectF(square.left() + g.offset_x * k, square.top() + g.offset_y * k, g.orig_w * k, g.orig_h * k);
  l.grid_h = g.grid_h;
  l.grid_w = g.grid_w;
  return l;
}

QRectF InputLayout::cells(const TokenRegion& r) const {
  const double ch = square.height() / grid_h, cw = square.width() / grid_w;
  return QRectF(square.left() + r.c0 * cw, square.top() + r.r0 * ch, (r.c1 - r.c0) * cw, (r.r1 - r.r0) * ch);
}

QPainterPath InputLayout::area(const TokenRegion& r) const {
  QPainterPath path;
  if (r.cells.empty()) {
    path.addRect(cells(r));
    return path;
  }
  for (int i : covered_cells(r, grid_h, grid_w)) path.addRect(cells({i / grid_w, i % grid_w, i / grid_w + 1, i % grid_w + 1, {}}));
  return path.simplified();  // one outline around adjacent cells
}

std::vector<int> covered_cells(const TokenRegion& r, int grid_h, int grid_w) {
  std::vector<int> out;
  if (!r.cells.empty()) {
    for (int i : r.cells)
      if (i >= 0 && i < grid_h * grid_w) out.push_back(i);
    return out;
  }
  for (int i = std::max(0, r.r0); i < std::min(grid_h, r.r1); ++i)
    for (int j = std::max(0, r.c0); j < std::min(grid_w, r.c1); ++j) out.push_back(i * grid_w + j);
  return out;
}

}  // namespace dpn::views

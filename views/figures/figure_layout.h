// What a paint function drew, in the figure's coordinates: the box of every text item, the marks that show data and
// the legend boxes. Paint functions return it; tests check it (text inside the canvas, no two texts overlapping, no
// legend or text over data) at every size and DPI, and `dpn figure` warns when a requested size breaks it.
#pragma once
#include <QRectF>
#include <QString>
#include <QStringList>
#include <vector>

namespace dpn::views {

struct TextBox {
  QRectF box;    // the line boxes the text occupies (advance width x line height)
  QString text;
};

struct FigureLayout {
  QRectF canvas;                // the area the figure was given
  std::vector<TextBox> texts;   // every text item drawn
  std::vector<QRectF> data;     // marks that show data: image squares, bars, markers, line segments, error bars
  std::vector<QRectF> legends;  // legend and colour-bar boxes
  // Appends the items of `other` (drawn in the same coordinates); keeps this canvas.
  void add(const FigureLayout& other);
};

// The layout's defects, one line each (empty when none): a text item outside the canvas, two text items
// overlapping, a legend or a text item covering a data mark. Boxes touching within `tolerance` do not count.
QStringList layout_problems(const FigureLayout& layout, double tolerance = 0.05);

}  // namespace dpn::views

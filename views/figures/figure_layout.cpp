// Checks of a figure's layout: inside the canvas, no overlaps.
#include "views/figures/figure_layout.h"

namespace dpn::views {

namespace {
bool overlap(const QRectF& a, const QRectF& b, double tol) {
  const QRectF i = a.intersected(b);
  return i.width() > tol && i.height() > tol;
}
QString describe(const QRectF& r) {
  return QString("[%1, %2, %3 x %4]").arg(r.x(), 0, 'f', 1).arg(r.y(), 0, 'f', 1).arg(r.width(), 0, 'f', 1)
      .arg(r.height(), 0, 'f', 1);
}
}  // namespace

void FigureLayout::add(const FigureLayout& other) {
  texts.insert(texts.end(), other.texts.begin(), other.texts.end());
  data.insert(data.end(), other.data.begin(), other.data.end());
  legends.insert(legends.end(), other.legends.begin(), other.legends.end());
}

QStringList layout_problems(const FigureLayout& layout, double tol) {
  QStringList out;
  const QRectF canvas = layout.canvas.adjusted(-tol, -tol, tol, tol);
  for (const TextBox& t : layout.texts)
    if (!canvas.contains(t.box))
      out << QString("text '%1' %2 is outside the canvas %3").arg(t.text, describe(t.box), describe(layout.canvas));
  for (size_t i = 0; i < layout.texts.size(); ++i)
    for (size_t j = i + 1; j < layout.texts.size(); ++j)
      if (overlap(layout.texts[i].box, layout.texts[j].box, tol))
        out << QString("text '%1' %2 overlaps text '%3' %4")
                   .arg(layout.texts[i].text, describe(layout.texts[i].box), layout.texts[j].text,
                        describe(layout.texts[j].box));
  for (const QRectF& l : layout.legends)
    for (const QRectF& d : layout.data)
      if (overlap(l, d, tol)) out << QString("legend %1 covers data %2").arg(describe(l), describe(d));
  for (const TextBox& t : layout.texts)
    for (const QRectF& d : layout.data)
      if (overlap(t.box, d, tol)) {
        out << QString("text '%1' %2 covers data %3").arg(t.text, describe(t.box), describe(d));
        break;
      }
  return out;
}

}  // namespace dpn::views

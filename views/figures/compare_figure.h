// Several methods' token maps of the same image and question side by side at one decoder layer, each headed by its
// method (in the method's colour) and its visual tokens; with attention, one colour scale shared by every panel.
#pragma once
#include <QImage>
#include <QPainter>
#include <QRectF>
#include <QString>
#include <vector>

#include "dpn.h"
#include "views/figures/figure_layout.h"

namespace dpn::views {

struct ComparePanel {
  QString method;
  QImage image;
  RunTrace trace;
};

struct CompareStyle {
  QString title;         // "" = none
  bool heatmap = false;  // attention heatmap with a shared colour bar (panels without attention show tokens only)
  int heads = 0;         // for the aggregation statement
};

// `layer` is a decoder layer number; a panel whose model has fewer layers shows its last one.
FigureLayout paint_compare_maps(QPainter& p, const QRectF& area, const std::vector<ComparePanel>& panels, int layer,
                                const CompareStyle& style);
// The height the panels want at `width` (points).
double compare_height(double width, int panels, bool title, bool heatmap);

}  // namespace dpn::views

// How often each DPE expert is chosen per layer, split by question family: stacked bars, one per (layer, family).
#pragma once
#include <QPainter>
#include <QRectF>
#include <QString>
#include <vector>

namespace dpn::views {

struct ExpertFrequency {
  int layer = 0;
  QString family;
  std::vector<int> counts;  // per expert index
};

void paint_expert_frequencies(QPainter& p, const QRectF& area, const std::vector<ExpertFrequency>& rows);

}  // namespace dpn::views

// Shared colours and number formats of the figures.
#include "views/figures/figure.h"

#include <QStringList>
#include <algorithm>
#include <cmath>

namespace dpn::views {

QString FigureMeta::text() const {
  if (!description.isEmpty() || params.isEmpty()) return description;
  QStringList parts;
  for (const auto& [key, value] : params) parts << key + "=" + value;
  return parts.join("; ");
}

QColor series_color(int index) {
  static const QColor colors[] = {QColor(78, 121, 167), QColor(242, 142, 43), QColor(225, 87, 89),
                                  QColor(118, 183, 178), QColor(89, 161, 79), QColor(237, 201, 72),
                                  QColor(176, 122, 161), QColor(255, 157, 167), QColor(156, 117, 95),
                                  QColor(186, 176, 172)};
  return colors[((index % 10) + 10) % 10];
}

QColor heat_color(double t) {
  // Inferno at five stops, linearly interpolated.
  static const double stops[5][3] = {{0, 0, 4}, {87, 16, 110}, {188, 55, 84}, {249, 142, 9}, {252, 255, 164}};
  t = std::clamp(t, 0.0, 1.0) * 4;
  int i = std::min(3, int(t));
  double f = t - i;
  auto mix = [&](int c) { return int(stops[i][c] + f * (stops[i + 1][c] - stops[i][c])); };
  return QColor(mix(0), mix(1), mix(2));
}

QString format_flops(double flops) {
  const char* units[] = {"", "K", "M", "G", "T", "P"};
  int u = 0;
  while (std::fabs(flops) >= 1000 && u < 5) flops /= 1000, ++u;
  return QString::number(flops, 'g', 3) + (u ? QString(" ") + units[u] : QString());
}

}  // namespace dpn::views

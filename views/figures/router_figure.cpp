// Draws one bar group per DPE layer on a shared probability axis.
#include "views/figures/router_figure.h"

#include <algorithm>
#include <cmath>

#include "views/figures/chart_frame.h"
#include "views/figures/figure_text.h"
#include "views/figures/legend.h"
#include "views/figures/palette.h"

namespace dpn::views {

namespace {
constexpr double kGap = 2;        // points
constexpr double kGroupGap = 8;   // between layer groups, points
constexpr double kBarShare = 0.7; // of an expert's slot
constexpr double kMaxBar = 36;    // widest bar, points

QString kernel_name(const RouterTrace& r, int e) {
  return e < int(r.experts.size()) ? expert_name(r.experts[size_t(e)].first, r.experts[size_t(e)].second, e)
                                   : expert_name(0, 0, e);
}
QString header(const RouterTrace& r) {
  QString h = QString("layer %1").arg(r.layer);
  if (r.grid_before_h)
    h += QString(": %1x%2 \u2192 %3x%4").arg(r.grid_before_h).arg(r.grid_before_w).arg(r.grid_after_h).arg(r.grid_after_w);
  if (r.overridden) h += " (forced)";
  return h;
}
}  // namespace

FigureLayout paint_routers(QPainter& p, const QRectF& area, const std::vector<RouterTrace>& routers,
                           const RouterStyle& style) {
  FigureLayout layout{area, {}, {}, {}};
  p.save();
  p.setPen(QColor(20, 20, 20));
  if (routers.empty()) {
    draw_message(p, area, "no DPE routers in this run (method dpn on a DPN model)", &layout);
    p.restore();
    return layout;
  }
  const double title_h = title_height(p, area.width(), style.title);
  draw_title(p, area, style.title, &layout);

  // The y axis: probability from 0 to just above the largest one.
  double top = 0;
  bool forced = false;
  for (const RouterTrace& r : routers) {
    for (float v : r.probs) top = std::max(top, double(v));
    forced = forced || r.overridden;
  }
  const double ystep = top * 1.12 > 0.5 ? 0.25 : top * 1.12 > 0.2 ? 0.1 : 0.05;
  top = std::min(1.0, std::ceil(std::max(0.05, top * 1.12) / ystep - 1e-9) * ystep);  // up to the next tick
  const QFont tick_font = figure_font(p, kTickPt), label_font = figure_font(p, kLabelPt);
  const QFontMetricsF tfm = figure_metrics(p, tick_font), lfm = figure_metrics(p, label_font);
  const std::vector<double> yt = tick_values(0, top, ystep);
  double ytick_w = 0;
  for (double v : yt) ytick_w = std::max(ytick_w, tfm.horizontalAdvance(tick_text(v, ystep)));
  const double left = area.left() + lfm.height() + kGap + ytick_w + kGap + 2.5;
  const double n_groups = double(routers.size());
  size_t most_experts = 1;
  for (const RouterTrace& r : routers) most_experts = std::max(most_experts, r.probs.size());
  // Groups share the width, but a bar is never wider than kMaxBar: a single router does not fill a page.
  const double group_w = std::min((area.right() - left - kGroupGap * (n_groups - 1) - 1) / n_groups,
                                  kMaxBar / kBarShare * double(most_experts));

  // Text sizes that fit: headers across a group, kernel names and values across an expert's slot.
  QStringList headers, names, values;
  for (const RouterTrace& r : routers) {
    headers << header(r);
    for (size_t e = 0; e < r.probs.size(); ++e) {
      names << kernel_name(r, int(e));
      values << QString::number(r.probs[e], 'f', 2);
    }
  }
  const double slot = group_w / double(most_experts);
  const double header_pt = fitting_size(p, headers, group_w, kLabelPt);
  const double name_pt = fitting_size(p, names, slot - 1, kLabelPt, kSmallestPt, true);
  const double value_pt = fitting_size(p, values, slot - 1, kTickPt);
  const QFontMetricsF hfm = figure_metrics(p, figure_font(p, header_pt ? header_pt : kSmallestPt));
  const QFontMetricsF nfm = figure_metrics(p, figure_font(p, name_pt ? name_pt : kSmallestPt, true));
  const QFontMetricsF vfm = figure_metrics(p, figure_font(p, value_pt ? value_pt : kSmallestPt));
  // Headers that do not fit on one line wrap onto two (layer / grids).
  int header_lines = 1;
  for (const QString& h : headers)
    header_lines = std::max(header_lines, int(wrap_lines(hfm, h, group_w, 2).size()));

  // Names under the bars when they fit, else a legend of the expert greys.
  std::vector<LegendEntry> legend;
  if (!name_pt) {
    std::vector<std::pair<int, int>> kernels;
    for (const RouterTrace& r : routers)
      for (const auto& k : r.experts)
        if (std::find(kernels.begin(), kernels.end(), k) == kernels.end()) kernels.push_back(k);
    for (const auto& [kh, kw] : kernels) legend.push_back({expert_name(kh, kw, 0), {expert_color(kh, kw)}, true});
  }
  QString note = "Outlined: the expert used";
  if (forced) note += "; forced: chosen by the user (what-if)";
  const QFont note_font = figure_font(p, kTickPt);
  const QFontMetricsF notefm = figure_metrics(p, note_font);
  const QStringList note_lines = wrap_lines(notefm, note, area.width(), 2);
  const double legend_h = legend_height(p, legend, area.width());
  const double bottom_h = (name_pt ? kGap + nfm.height() : 0) + legend_h + kGap + note_lines.size() * notefm.height();
  const double head_h = header_lines * hfm.height() + kGap + (value_pt ? vfm.height() + 1 : tfm.height() / 2);
  const QRectF plot(left, area.top() + title_h + head_h, area.right() - left - 1,
                    area.height() - title_h - head_h - bottom_h);
  auto map_y = [&](double v) { return plot.bottom() - v / top * plot.height(); };

  // Axis: ticks, grid, label.
  p.setRenderHint(QPainter::Antialiasing, true);
  p.setFont(tick_font);
  for (double v : yt) {
    const double y = map_y(v);
    p.setPen(QPen(QColor(228, 228, 228), 0.5));
    p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    p.setPen(QPen(QColor(70, 70, 70), 0.6));
    p.drawLine(QPointF(plot.left() - 2.5, y), QPointF(plot.left(), y));
    p.setPen(QColor(40, 40, 40));
    draw_text(p, QRectF(plot.left() - 2.5 - kGap - ytick_w, y - tfm.height() / 2, ytick_w, tfm.height()),
              Qt::AlignRight | Qt::AlignVCenter, tick_text(v, ystep), &layout);
  }
  p.setPen(QPen(QColor(70, 70, 70), 0.6));
  p.drawLine(plot.bottomLeft(), plot.topLeft());
  p.setFont(label_font);
  p.setPen(QColor(20, 20, 20));
  const QStringList ylabel = wrap_lines(lfm, "router probability", plot.height(), 1);
  draw_vertical_text(p, QPointF(area.left() + lfm.height() / 2, plot.center().y()), ylabel.value(0), &layout);

  for (size_t g = 0; g < routers.size(); ++g) {
    const RouterTrace& r = routers[g];
    const double used = n_groups * group_w + (n_groups - 1) * kGroupGap;
    const double gx = plot.left() + 1 + std::max(0.0, (plot.width() - 1 - used) / 2) + g * (group_w + kGroupGap);
    // Header.
    p.setFont(figure_font(p, header_pt ? header_pt : kSmallestPt));
    p.setPen(QColor(20, 20, 20));
    double y = area.top() + title_h;
    for (const QString& line : wrap_lines(hfm, headers[int(g)], group_w, 2)) {
      draw_text(p, QRectF(gx, y, group_w, hfm.height()), Qt::AlignHCenter | Qt::AlignTop, line, &layout);
      y += hfm.height();
    }
    p.setPen(QPen(QColor(70, 70, 70), 0.6));
    p.drawLine(QPointF(gx, plot.bottom()), QPointF(gx + group_w, plot.bottom()));
    const int n = int(r.probs.size());
    const double s = group_w / std::max(1, n);
    for (int e = 0; e < n; ++e) {
      const auto [kh, kw] = e < int(r.experts.size()) ? r.experts[size_t(e)] : std::pair<int, int>{0, 0};
      const double v = std::max(0.0, double(r.probs[size_t(e)]));
      const QRectF bar(gx + e * s + s * (1 - kBarShare) / 2, map_y(v), s * kBarShare, plot.bottom() - map_y(v));
      const bool chosen = e == r.chosen;
      p.setPen(chosen ? QPen(QColor(0, 0, 0), 1.4) : QPen(QColor(90, 90, 90), 0.5));
      p.setBrush(expert_color(kh, kw));
      p.drawRect(bar);
      layout.data.push_back(bar);
      p.setPen(QColor(30, 30, 30));
      if (value_pt) {
        p.setFont(figure_font(p, value_pt));
        draw_text(p, QRectF(gx + e * s, bar.top() - vfm.height() - 1, s, vfm.height()), Qt::AlignHCenter | Qt::AlignBottom,
                  values[0].isEmpty() ? QString() : QString::number(r.probs[size_t(e)], 'f', 2), &layout);
      }
      if (name_pt) {
        p.setFont(figure_font(p, name_pt, chosen));
        draw_text(p, QRectF(gx + e * s, plot.bottom() + kGap, s, nfm.height()), Qt::AlignHCenter | Qt::AlignTop,
                  kernel_name(r, e), &layout);
      }
    }
  }
  double y = plot.bottom() + (name_pt ? kGap + nfm.height() : 0);
  draw_legend(p, QRectF(area.left(), y, area.width(), legend_h), legend, &layout);
  y += legend_h + kGap;
  p.setFont(note_font);
  p.setPen(QColor(60, 60, 60));
  for (const QString& line : note_lines) {
    draw_text(p, QRectF(area.left(), y, area.width(), notefm.height()), Qt::AlignHCenter | Qt::AlignTop, line, &layout);
    y += notefm.height();
  }
  p.restore();
  return layout;
}

}  // namespace dpn::views

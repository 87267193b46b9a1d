// Draws expert choices as horizontal 100% stacked bars: families down, DPE layers across.
#include "views/figures/expert_frequency_figure.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "views/figures/chart_frame.h"
#include "views/figures/figure_text.h"
#include "views/figures/legend.h"
#include "views/figures/palette.h"

namespace dpn::views {

namespace {
constexpr double kGap = 2;          // points
constexpr double kPanelGap = 8;     // between layer panels
constexpr double kBarShare = 0.72;  // of a row's height
constexpr double kMaxLabelShare = 0.4;  // family names take at most this share of the width

// Families and layers in display order; counts summed per (layer, family) and per layer ("all").
struct Table {
  std::vector<int> layers;
  QStringList families;
  std::map<std::pair<int, QString>, std::vector<int>> counts;
  std::map<int, std::vector<std::pair<int, int>>> kernels;
};

Table tabulate(const std::vector<ExpertFrequency>& rows) {
  Table t;
  for (const ExpertFrequency& r : rows) {
    if (std::find(t.layers.begin(), t.layers.end(), r.layer) == t.layers.end()) t.layers.push_back(r.layer);
    if (!t.families.contains(r.family)) t.families << r.family;
    std::vector<int>& c = t.counts[{r.layer, r.family}];
    c.resize(std::max(c.size(), r.counts.size()), 0);
    for (size_t e = 0; e < r.counts.size(); ++e) c[e] += r.counts[e];
    if (!r.kernels.empty()) t.kernels[r.layer] = r.kernels;
  }
  std::sort(t.layers.begin(), t.layers.end());
  t.families.sort();
  return t;
}

QString display_family(const QString& f) { return QString(f).replace('_', ' '); }
}  // namespace

FigureLayout paint_expert_frequencies(QPainter& p, const QRectF& area, const std::vector<ExpertFrequency>& rows,
                                      const ExpertFrequencyStyle& style) {
  FigureLayout layout{area, {}, {}, {}};
  p.save();
  p.setPen(QColor(20, 20, 20));
  if (rows.empty()) {
    draw_message(p, area, "no router decisions stored (DPN runs only)", &layout);
    p.restore();
    return layout;
  }
  const Table t = tabulate(rows);
  // Row labels: "all families (40)" then each family with its sample count (the count at the first layer).
  struct Row {
    QString label, family;  // family "" = all
  };
  std::vector<Row> table_rows;
  auto total = [&](int layer, const QString& family) {
    int n = 0;
    for (const QString& f : t.families)
      if (family.isEmpty() || f == family) {
        auto it = t.counts.find({layer, f});
        if (it != t.counts.end()) n += std::accumulate(it->second.begin(), it->second.end(), 0);
      }
    return n;
  };
  if (!style.all_label.isEmpty() && t.families.size() > 1)
    table_rows.push_back({QString("%1 (%2)").arg(style.all_label).arg(total(t.layers.front(), "")), ""});
  for (const QString& f : t.families)
    table_rows.push_back({QString("%1 (%2)").arg(display_family(f)).arg(total(t.layers.front(), f)), f});

  const double title_h = title_height(p, area.width(), style.title);
  draw_title(p, area, style.title, &layout);
  const QFont label_font = figure_font(p, kLabelPt), tick_font = figure_font(p, kTickPt);
  const QFontMetricsF tfm = figure_metrics(p, tick_font);
  // Family names: as large as fits in the label column (down to the smallest size), wrapped onto two lines if not.
  QStringList labels;
  for (const Row& r : table_rows) labels << r.label;
  const double label_col_max = area.width() * kMaxLabelShare;
  double label_pt = fitting_size(p, labels, label_col_max, kTickPt);
  const QFont row_font = figure_font(p, label_pt ? label_pt : kSmallestPt);
  const QFontMetricsF rfm = figure_metrics(p, row_font);
  double label_w = 0;
  int label_lines = 1;
  for (const QString& l : labels) {
    const QStringList lines = wrap_lines(rfm, l, label_col_max, 2);
    label_lines = std::max(label_lines, int(lines.size()));
    for (const QString& line : lines) label_w = std::max(label_w, rfm.horizontalAdvance(line));
  }
  // Legend: the kernels of every layer, in order of pooling strength.
  std::vector<std::pair<int, int>> kernels;
  int experts = 0;
  for (const auto& [key, c] : t.counts) experts = std::max(experts, int(c.size()));
  for (const auto& [layer, ks] : t.kernels)
    for (const auto& k : ks)
      if (std::find(kernels.begin(), kernels.end(), k) == kernels.end()) kernels.push_back(k);
  std::sort(kernels.begin(), kernels.end(), [](auto a, auto b) { return a.first * a.second < b.first * b.second; });
  std::vector<LegendEntry> legend;
  if (!kernels.empty())
    for (const auto& [kh, kw] : kernels) legend.push_back({expert_name(kh, kw, 0), {expert_color(kh, kw)}, true});
  else
    for (int e = 0; e < experts; ++e) legend.push_back({expert_name(0, 0, e), {expert_color(1 << e, 1 << e)}, true});
  const double legend_h = legend_height(p, legend, area.width());
  const QFontMetricsF lfm = figure_metrics(p, label_font);
  const double axis_h = 2.5 + kGap + tfm.height() + kGap + lfm.height();
  const double head_h = tfm.height() + kGap;
  const double left = area.left() + label_w + 2 * kGap;
  const double n_panels = double(t.layers.size());
  // Panels apart by at least their end labels ("100" of one, "0" of the next); the last "100" inside the canvas.
  const double end_half = tfm.horizontalAdvance("100") / 2;
  // A line height of space between them, so that "100 0" does not read as one number.
  const double panel_gap = std::max(kPanelGap, end_half + tfm.horizontalAdvance("0") / 2 + tfm.height());
  const double panel_w = (area.right() - left - panel_gap * (n_panels - 1) - end_half - 1) / n_panels;
  const double body_top = area.top() + title_h + head_h;
  const double body_h = area.bottom() - body_top - axis_h - legend_h;
  const double row_h = body_h / double(table_rows.size());

  // Row labels (right-aligned, vertically centred on their bar).
  p.setFont(row_font);
  p.setPen(QColor(20, 20, 20));
  for (size_t i = 0; i < table_rows.size(); ++i) {
    const QStringList lines = wrap_lines(rfm, table_rows[i].label, label_col_max, 2);
    double y = body_top + (i + 0.5) * row_h - lines.size() * rfm.height() / 2;
    for (const QString& line : lines) {
      draw_text(p, QRectF(area.left(), y, label_w, rfm.height()), Qt::AlignRight | Qt::AlignVCenter, line, &layout);
      y += rfm.height();
    }
  }
  // x ticks: 0, 50, 100 % (25 % steps when the panel is wide enough).
  const double step = panel_w >= 4 * (tfm.horizontalAdvance("100") + 6) ? 25 : 50;
  p.setRenderHint(QPainter::Antialiasing, true);
  for (size_t k = 0; k < t.layers.size(); ++k) {
    const int layer = t.layers[k];
    const double px = left + k * (panel_w + panel_gap);
    p.setFont(tick_font);
    p.setPen(QColor(20, 20, 20));
    const int n = total(layer, "");
    draw_text(p, QRectF(px, body_top - head_h, panel_w, tfm.height()), Qt::AlignHCenter | Qt::AlignTop,
              tfm.horizontalAdvance(QString("layer %1 (n=%2)").arg(layer).arg(n)) <= panel_w
                  ? QString("layer %1 (n=%2)").arg(layer).arg(n)
                  : QString("layer %1").arg(layer),
              &layout);
    const double axis_y = body_top + body_h;
    for (double v : tick_values(0, 100, step)) {
      const double x = px + v / 100 * panel_w;
      p.setPen(QPen(QColor(228, 228, 228), 0.5));
      p.drawLine(QPointF(x, body_top), QPointF(x, axis_y));
      p.setPen(QPen(QColor(70, 70, 70), 0.6));
      p.drawLine(QPointF(x, axis_y), QPointF(x, axis_y + 2.5));
      p.setPen(QColor(40, 40, 40));
      const QString s = tick_text(v, step);
      const double w = tfm.horizontalAdvance(s);
      draw_text(p, QRectF(x - w / 2 - 1, axis_y + 2.5 + kGap, w + 2, tfm.height()), Qt::AlignHCenter | Qt::AlignTop, s,
                &layout);
    }
    p.setPen(QPen(QColor(70, 70, 70), 0.6));
    p.drawLine(QPointF(px, axis_y), QPointF(px + panel_w, axis_y));
    const std::vector<std::pair<int, int>> ks = t.kernels.count(layer) ? t.kernels.at(layer) : kernels;
    for (size_t i = 0; i < table_rows.size(); ++i) {
      std::vector<int> c;
      if (table_rows[i].family.isEmpty()) {
        for (const QString& f : t.families) {
          auto it = t.counts.find({layer, f});
          if (it == t.counts.end()) continue;
          c.resize(std::max(c.size(), it->second.size()), 0);
          for (size_t e = 0; e < it->second.size(); ++e) c[e] += it->second[e];
        }
      } else if (auto it = t.counts.find({layer, table_rows[i].family}); it != t.counts.end()) {
        c = it->second;
      }
      const int sum = std::accumulate(c.begin(), c.end(), 0);
      const double bh = row_h * kBarShare, by = body_top + (i + 0.5) * row_h - bh / 2;
      double x = px;
      for (size_t e = 0; e < c.size() && sum > 0; ++e) {
        const double w = panel_w * c[e] / sum;
        if (w <= 0) continue;
        const auto [kh, kw] = e < ks.size() ? ks[e] : std::pair<int, int>{1 << e, 1 << e};
        const QRectF seg(x, by, w, bh);
        p.setPen(QPen(QColor(60, 60, 60), 0.4));
        p.setBrush(expert_color(kh, kw));
        p.drawRect(seg);
        layout.data.push_back(seg);
        x += w;
      }
    }
  }
  p.setFont(label_font);
  p.setPen(QColor(20, 20, 20));
  const double axis_label_y = body_top + body_h + 2.5 + kGap + tfm.height() + kGap;
  const QStringList xl = wrap_lines(lfm, "share of samples (%)", area.right() - left, 1);
  draw_text(p, QRectF(left, axis_label_y, area.right() - left, lfm.height()), Qt::AlignHCenter | Qt::AlignTop,
            xl.value(0), &layout);
  draw_legend(p, QRectF(area.left(), axis_label_y + lfm.height(), area.width(), legend_h), legend, &layout);
  p.restore();
  return layout;
}

}  // namespace dpn::views

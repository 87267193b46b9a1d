// One builder per figure kind, sharing image loading, titles and metadata.
#include "views/figure_builder.h"

#include <algorithm>

#include "util/error.h"
#include "views/figures/accuracy_flops_figure.h"
#include "views/figures/compare_figure.h"
#include "views/figures/depth_curve_figure.h"
#include "views/figures/expert_frequency_figure.h"
#include "views/figures/figure_text.h"
#include "views/figures/router_figure.h"
#include "views/figures/token_map_figure.h"
#include "views/figures/token_strip_figure.h"
#include "views/input_image.h"

namespace dpn::views {

namespace {
constexpr double kChartAspect = 0.62;  // plot height per width of the line and scatter charts
constexpr double kChartExtra = 72;     // title, ticks, axis labels and a legend row, points
constexpr double kRouterAspect = 0.6;
constexpr double kRowPt = 13;          // one family row of the expert figure

QString q(const std::string& s) { return QString::fromStdString(s); }

const FigureRun& single_run(const FigureRequest& r, const FigurePage& page) {
  if (page.runs.size() != 1)
    throw Error(r.kind, "needs exactly one run (got " + std::to_string(page.runs.size()) + "); use compare or depth "
                        "for several methods");
  return page.runs.front();
}

const FigureRun& any_run(const FigureRequest& r, const FigurePage& page) {
  if (page.runs.empty()) throw Error(r.kind, "needs at least one run");
  return page.runs.front();
}

double measured(const std::function<double(QPainter&)>& f) {
  MeasuringPainter m;
  return f(m.painter());
}

QString dot() { return QString(" \u00b7 "); }
}  // namespace

QImage FigureImages::get(const std::string& path, const RunTrace& trace, QStringList* warnings) {
  auto it = images_.find(path);
  if (it == images_.end()) {
    QString error;
    QImage img = load_input_image(q(path), &error);  // as the model decodes it: stored pixels, no EXIF rotation
    if (img.isNull() && warnings) *warnings << q(path) + ": cannot read the image (" + error + ")";
    it = images_.emplace(path, img).first;
  }
  const QImage& img = it->second;
  if (!img.isNull() && trace.image.orig_w > 0 && (img.width() != trace.image.orig_w || img.height() != trace.image.orig_h) &&
      warnings)
    *warnings << QString("%1: the image is %2x%3 but the model saw %4x%5; drawn where the model placed it")
                     .arg(q(path)).arg(img.width()).arg(img.height()).arg(trace.image.orig_w).arg(trace.image.orig_h);
  return img;
}

int layer_index(const RunTrace& trace, int layer) {
  const int n = int(trace.layers.size());
  if (n == 0) throw Error("--layer", "the run has no per-layer trace");
  if (layer < 0) return n - 1;
  for (int i = 0; i < n; ++i)
    if (trace.layers[size_t(i)].layer == layer) return i;
  throw Error("--layer", "decoder layer " + std::to_string(layer) + " is not in the trace (layers " +
                             std::to_string(trace.layers.front().layer) + ".." + std::to_string(trace.layers.back().layer) +
                             ")");
}

Figure build_figure(const FigureRequest& r, const FigurePage& page, FigureImages& images, QStringList* warnings) {
  Figure f;
  for (const auto& [k, v] : page.params) f.meta.params.append({q(k), q(v)});
  f.meta.params.append({"kind", q(r.kind)});
  const bool titled = r.title;
  double default_w = kDefaultWidthPt;
  if (r.kind == "tokenmap") {
    const FigureRun& run = single_run(r, page);
    const int i = layer_index(run.trace, r.layer);
    const QImage image = images.get(run.image_path, run.trace, warnings);
    TokenMapStyle style;
    style.heatmap = r.attention;
    style.heads = run.heads;
    style.caption = false;
    const LayerTrace& l = run.trace.layers[size_t(i)];
    if (r.attention && l.attention.size() != l.regions.size())
      throw Error("--attention", "the run recorded no attention at layer " + std::to_string(l.layer));
    if (titled) style.title = q(run.method) + dot() + QString("layer %1").arg(l.layer) + dot() +
                              visual_tokens_text(run.trace, l);
    const RunTrace trace = run.trace;
    f.paint = [image, trace, i, style](QPainter& p, const QRectF& a) {
      return paint_token_map(p, a, image, trace, i, style);
    };
    f.height_for_width = [trace, i, style](double w) {
      return measured([&](QPainter& p) { return token_map_height(p, w, trace, i, style); });
    };
    f.meta.title = QString("token map - layer %1").arg(l.layer);
    f.meta.params.append({"layer", QString::number(l.layer)});
  } else if (r.kind == "pyramid") {
    const FigureRun& run = single_run(r, page);
    PyramidStyle style;
    for (int layer : r.layers) style.layers.push_back(layer_index(run.trace, layer));
    if (style.layers.empty()) style.layers = default_pyramid_layers(run.trace);
    if (titled) style.title = "Token pyramid" + dot() + q(run.method);
    const QImage image = images.get(run.image_path, run.trace, warnings);
    const RunTrace trace = run.trace;
    f.paint = [image, trace, style](QPainter& p, const QRectF& a) { return paint_token_pyramid(p, a, image, trace, style); };
    const int count = int(style.layers.size());
    f.height_for_width = [count, titled](double w) { return pyramid_height(w, count, titled); };
    f.meta.title = "token pyramid";
    QStringList shown;
    for (int i : style.layers) shown << QString::number(trace.layers[size_t(i)].layer);
    f.meta.params.append({"layers", shown.join(",")});
  } else if (r.kind == "router") {
    const FigureRun& run = single_run(r, page);
    RouterStyle style;
    style.title = titled ? "Router probabilities per DPE layer" + dot() + q(run.method) : QString();
    const std::vector<RouterTrace> routers = run.trace.routers;
    f.paint = [routers, style](QPainter& p, const QRectF& a) { return paint_routers(p, a, routers, style); };
    f.height_for_width = [](double w) { return std::max(150.0, w * kRouterAspect + 40); };
    f.meta.title = "DPN router probabilities";
  } else if (r.kind == "compare") {
    const FigureRun& first = any_run(r, page);
    std::vector<ComparePanel> panels;
    for (const FigureRun& run : page.runs) {
      layer_index(run.trace, r.layer);  // validates --layer against every run
      panels.push_back({q(run.method), images.get(run.image_path, run.trace, warnings), run.trace});
    }
    const int layer = first.trace.layers[size_t(layer_index(first.trace, r.layer))].layer;
    CompareStyle style;
    style.heatmap = r.attention;
    style.heads = first.heads;
    if (titled) style.title = QString("Visual tokens at layer %1").arg(layer);
    const int n = int(panels.size());
    const bool heat = r.attention;
    f.paint = [panels, layer, style](QPainter& p, const QRectF& a) { return paint_compare_maps(p, a, panels, layer, style); };
    f.height_for_width = [n, titled, heat](double w) { return compare_height(w, n, titled, heat); };
    default_w = std::max(kDefaultWidthPt, std::min(7.0 * 72, n * 1.3 * 72));  // about 1.3 in per method
    f.meta.title = QString("token maps at layer %1").arg(layer);
    f.meta.params.append({"layer", QString::number(layer)});
  } else if (r.kind == "depth") {
    any_run(r, page);
    std::vector<DepthSeries> series;
    for (const FigureRun& run : page.runs) {
      DepthSeries s{q(run.method), {}};
      for (const LayerTrace& l : run.trace.layers) s.visual.push_back(l.visual);
      series.push_back(s);
    }
    DepthStyle style;
    if (!titled) style.title.clear();
    f.paint = [series, style](QPainter& p, const QRectF& a) { return paint_depth_curves(p, a, series, style); };
    f.height_for_width = [](double w) { return w * kChartAspect + kChartExtra; };
    f.meta.title = "visual tokens per layer";
  } else if (r.kind == "accflops") {
    if (page.points.empty()) throw Error("accflops", "no runs to plot");
    std::vector<AccuracyPoint> points;
    for (const FigurePoint& pt : page.points)
      points.push_back({q(pt.method), pt.flops, pt.accuracy, pt.ci_lo, pt.ci_hi, (long long)pt.n});
    AccuracyFlopsStyle style;
    if (!titled) style.title.clear();
    if (!page.interval.empty()) style.interval = q(page.interval);
    f.paint = [points, style](QPainter& p, const QRectF& a) { return paint_accuracy_flops(p, a, points, style); };
    f.height_for_width = [](double w) { return w * kChartAspect + kChartExtra; };
    f.meta.title = "accuracy versus FLOPs";
  } else if (r.kind == "experts") {
    std::vector<ExpertFrequency> rows;
    QStringList families;
    for (const FigureExperts& e : page.experts) {
      rows.push_back({e.layer, q(e.family), e.counts, e.kernels});
      if (!families.contains(q(e.family))) families << q(e.family);
    }
    ExpertFrequencyStyle style;
    if (!titled) style.title.clear();
    f.paint = [rows, style](QPainter& p, const QRectF& a) { return paint_expert_frequencies(p, a, rows, style); };
    const int n_rows = int(families.size()) + (families.size() > 1 ? 1 : 0);
    f.height_for_width = [n_rows, titled](double w) {
      return measured([&](QPainter& p) {
        return (titled ? title_height(p, w, "Expert chosen per DPE layer and question family") : 0) +
               std::max(3, n_rows) * kRowPt + 62;
      });
    };
    f.meta.title = "expert frequencies";
  } else {
    throw Error(r.kind, "unknown figure kind (expected tokenmap, pyramid, router, compare, depth, accflops or experts)");
  }
  const double w = r.width_pt > 0 ? r.width_pt : default_w;
  f.size = QSizeF(w, f.height_for_width(w)) / 0.75;  // CSS pixels
  return f;
}

}  // namespace dpn::views

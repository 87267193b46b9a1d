// DPNBench oracles: a pixel parser (full resolution) and a pooled-colour-map solver; see vqa_oracle.h.
#include "datasets/vqa_oracle.h"

#include <algorithm>
#include <limits>
#include <opencv2/imgproc.hpp>

#include "util/error.h"

namespace dpn::datasets {

namespace {

cv::Vec3d rgb_of(Color c) {
  const auto v = color_rgb(c);
  return {static_cast<double>(v[0]), static_cast<double>(v[1]), static_cast<double>(v[2])};
}

int nearest_color(const cv::Vec3d& p, int n_colors) {
  int best = 0;
  double best_d = std::numeric_limits<double>::max();
  for (int c = 0; c < n_colors; ++c) {
    const double d = cv::norm(p - rgb_of(static_cast<Color>(c)));
    if (d < best_d) best_d = d, best = c;
  }
  return best;
}

// ---- full resolution ----

struct Component {
  int color, x, y, w, h, area;
  Shape shape;
};

Shape classify_shape(const cv::Mat& mask, const cv::Rect& box) {
  const int side = std::max(box.width, box.height);
  const cv::Rect square(box.x, box.y, std::min(side, mask.cols - box.x), std::min(side, mask.rows - box.y));
  cv::Mat observed = cv::Mat::zeros(side, side, CV_8UC1);
  mask(square).copyTo(observed(cv::Rect(0, 0, square.width, square.height)));
  Shape best = Shape::square;
  double best_iou = -1;
  for (int s = 0; s < kShapes; ++s) {
    cv::Mat rendered = cv::Mat::zeros(side, side, CV_8UC1);
    rasterize_shape(rendered, static_cast<Shape>(s), 0, 0, side, 255);
    const double inter = cv::countNonZero(rendered & observed), uni = cv::countNonZero(rendered | observed);
    const double iou = uni > 0 ? inter / uni : 0;
    if (iou > best_iou) best_iou = iou, best = static_cast<Shape>(s);
  }
  return best;
}

}  // namespace

PooledColorMap pool_color_map(const cv::Mat& rgb, int cell_px) {
  if (rgb.type() != CV_8UC3 || cell_px < 1 || rgb.cols < cell_px || rgb.rows != rgb.cols)
    throw Error("pool_color_map", "expected a square RGB CV_8UC3 image at least one cell wide");
  PooledColorMap m;
  m.cells = rgb.cols / cell_px;
  m.cell_px = cell_px;
  for (int cy = 0; cy < m.cells; ++cy)
    for (int cx = 0; cx < m.cells; ++cx) {
      const cv::Scalar s = cv::mean(rgb(cv::Rect(cx * cell_px, cy * cell_px, cell_px, cell_px)));
      m.mean.emplace_back(s[0], s[1], s[2]);
    }
  return m;
}

std::string oracle_full_resolution(const cv::Mat& rgb, const QA& qa, const GeneratorConfig& config) {
  const int S = rgb.cols, P = config.patch_size;
  cv::Mat labels(S, S, CV_8UC1);
  std::vector<int> hist(kAllColors, 0);
  for (int y = 0; y < S; ++y)
    for (int x = 0; x < S; ++x) {
      const cv::Vec3b v = rgb.at<cv::Vec3b>(y, x);
      const int c = nearest_color(cv::Vec3d(v[0], v[1], v[2]), kAllColors);
      labels.at<uint8_t>(y, x) = static_cast<uint8_t>(c);
      ++hist[static_cast<size_t>(c)];
    }
  const int bg = static_cast<int>(std::max_element(hist.begin(), hist.begin() + kPaletteColors) - hist.begin());

  // Connected components per colour: big shapes (> 1 patch of area), small shapes, glyph boxes (white).
  std::vector<Component> big, small, boxes;
  for (int c = 0; c <= static_cast<int>(Color::white); ++c) {
    if (c == bg) continue;
    cv::Mat mask = labels == c, comp, stats, centroids;
    const int n = cv::connectedComponentsWithStats(mask, comp, stats, centroids, 8, CV_32S);
    for (int k = 1; k < n; ++k) {
      Component o{c, stats.at<int>(k, cv::CC_STAT_LEFT), stats.at<int>(k, cv::CC_STAT_TOP),
                  stats.at<int>(k, cv::CC_STAT_WIDTH), stats.at<int>(k, cv::CC_STAT_HEIGHT),
                  stats.at<int>(k, cv::CC_STAT_AREA), Shape::square};
      if (c == static_cast<int>(Color::white)) {
        boxes.push_back(o);
        continue;
      }
      o.shape = classify_shape(comp == k, cv::Rect(o.x, o.y, o.w, o.h));
      (o.area > P * P ? big : small).push_back(o);
    }
  }
  auto small_with_shape = [&](int shape) -> const Component* {
    for (const auto& o : small)
      if (static_cast<int>(o.shape) == shape) return &o;
    return nullptr;
  };
  switch (qa.family) {
    case Family::background_color: return color_name(static_cast<Color>(bg));
    case Family::presence: return hist[static_cast<size_t>(qa.color)] > 0 && qa.color != bg ? "yes" : "no";
    case Family::count_rough: return std::to_string(big.size());
    case Family::small_object_color: {
      const Component* o = small_with_shape(qa.shape);
      return o ? color_name(static_cast<Color>(o->color)) : "";
    }
    case Family::glyph: {
      if (boxes.size() != 1 || boxes[0].w != P || boxes[0].h != P) return "";
      const GlyphGeometry geo = glyph_geometry(P);
      int best = -1, best_miss = std::numeric_limits<int>::max();
      for (int d = 0; d < 10; ++d) {
        int miss = 0;
        for (int r = 0; r < 7; ++r)
          for (int c = 0; c < 5; ++c) {
            const bool ink = labels.at<uint8_t>(boxes[0].y + geo.offset_y + r * geo.scale,
                                                boxes[0].x + geo.offset_x + c * geo.scale) ==
                             static_cast<uint8_t>(Color::black);
            miss += ink != ((digit_bitmap(d)[static_cast<size_t>(r)] >> (4 - c)) & 1u);
          }
        if (miss < best_miss) best_miss = miss, best = d;
      }
      return best_miss == 0 ? std::to_string(best) : "";
    }
    case Family::position: {
      const Component* o = small_with_shape(qa.shape);
      if (!o || boxes.size() != 1) return "";
      const double dx = (o->x + o->w / 2.0) - (boxes[0].x + boxes[0].w / 2.0);
      const double dy = (o->y + o->h / 2.0) - (boxes[0].y + boxes[0].h / 2.0);
      return qa.axis == 0 ? (dx < 0 ? "left" : "right") : (dy < 0 ? "above" : "below");
    }
  }
  return "";
}

namespace {

// ---- pooled colour map ----

// A big shape covers >= 24.6% of its cell (24 px cross); the small items of a free cell cover <= 9.8% (README).
constexpr double kBigAlpha = 0.2;
// Below this RGB distance from the background a cell counts as empty.
constexpr double kEmptyDistance = 1.0;

struct CellFit {
  int color = -1;     // best single colour mixed with the background
  double alpha = 0;   // its coverage
  double residual = 0;
};

CellFit fit_cell(const cv::Vec3d& mean, int bg, int n_colors) {
  const cv::Vec3d b = rgb_of(static_cast<Color>(bg)), d = mean - b;
  CellFit best;
  best.residual = std::numeric_limits<double>::max();
  for (int c = 0; c < n_colors; ++c) {
    if (c == bg) continue;
    const cv::Vec3d dir = rgb_of(static_cast<Color>(c)) - b;
    const double a = std::clamp(d.dot(dir) / dir.dot(dir), 0.0, 1.0);
    const double r = cv::norm(d - a * dir);
    if (r < best.residual) best = CellFit{c, a, r};
  }
  return best;
}

}  // namespace

std::string oracle_pooled(const PooledColorMap& map, const QA& qa, const GeneratorConfig& config) {
  const size_t n = map.mean.size();
  std::vector<int> votes(kPaletteColors, 0);
  for (const auto& m : map.mean) ++votes[static_cast<size_t>(nearest_color(m, kPaletteColors))];
  const int bg = static_cast<int>(std::max_element(votes.begin(), votes.end()) - votes.begin());

  std::vector<size_t> big_cells, small_cells;
  std::vector<CellFit> fits(n);
  for (size_t i = 0; i < n; ++i) {
    fits[i] = fit_cell(map.mean[i], bg, kPaletteColors);
    if (fits[i].alpha >= kBigAlpha)
      big_cells.push_back(i);
    else if (cv::norm(map.mean[i] - rgb_of(static_cast<Color>(bg))) > kEmptyDistance)
      small_cells.push_back(i);
  }
  // The glyph cell: the small cell best explained by white (the box) mixed into the background.
  size_t glyph_cell = n;
  double glyph_alpha = -1;
  for (size_t i : small_cells) {
    const cv::Vec3d b = rgb_of(static_cast<Color>(bg)), dir = rgb_of(Color::white) - b;
    const double a = (map.mean[i] - b).dot(dir) / dir.dot(dir);
    if (a > glyph_alpha) glyph_alpha = a, glyph_cell = i;
  }
  // The pooled map cannot tell small shapes apart, so "the small <shape>" becomes the first other small cell.
  size_t target_cell = n;
  for (size_t i : small_cells)
    if (i != glyph_cell) {
      target_cell = i;
      break;
    }

  switch (qa.family) {
    case Family::background_color: return color_name(static_cast<Color>(bg));
    case Family::presence:
      for (size_t i : big_cells)
        if (fits[i].color == qa.color) return "yes";
      return "no";
    case Family::count_rough: return std::to_string(big_cells.size());
    case Family::small_object_color:
      return color_name(static_cast<Color>(target_cell < n ? fits[target_cell].color : (bg + 1) % kPaletteColors));
    case Family::glyph: {
      // Ink count from the cell mean: mean = bg + (box/A)(white - bg) + (ink/A)(black - white), other items ignored.
      if (glyph_cell >= n) return "1";
      const double A = static_cast<double>(map.cell_px) * map.cell_px, box = config.patch_size * config.patch_size;
      const cv::Vec3d b = rgb_of(static_cast<Color>(bg)), w = rgb_of(Color::white), k = rgb_of(Color::black);
      const cv::Vec3d rest = map.mean[glyph_cell] - b - (box / A) * (w - b);
      const double ink = rest.dot(k - w) / (k - w).dot(k - w) * A;
      const int g2 = glyph_geometry(config.patch_size).scale * glyph_geometry(config.patch_size).scale;
      int best = 0;
      double best_d = std::numeric_limits<double>::max();
      for (int d = 0; d < 10; ++d) {
        int count = 0;
        for (uint8_t row : digit_bitmap(d)) count += __builtin_popcount(row);
        if (std::abs(count * g2 - ink) < best_d) best_d = std::abs(count * g2 - ink), best = d;
      }
      return std::to_string(best);
    }
    case Family::position: {
      const int cells = map.cells;
      if (glyph_cell >= n || target_cell >= n) return qa.axis == 0 ? "left" : "above";
      const int gx = static_cast<int>(glyph_cell) % cells, gy = static_cast<int>(glyph_cell) / cells;
      const int tx = static_cast<int>(target_cell) % cells, ty = static_cast<int>(target_cell) / cells;
      return qa.axis == 0 ? (tx < gx ? "left" : "right") : (ty < gy ? "above" : "below");
    }
  }
  return "";
}

}  // namespace dpn::datasets

// DPNBench scene generator: lays out shapes, a glyph box and small objects, rasterises them, asks one question per
// family. Every random draw goes through SplitMix64 in a fixed order, so (config, seed, index) fixes the bytes.
#include "datasets/synthetic_vqa.h"

#include <algorithm>
#include <cstdlib>

#include "datasets/splitmix64.h"
#include "util/error.h"

namespace dpn::datasets {

const char* const kShortAnswerSuffix = "\nAnswer the question using a single word or phrase.";

namespace {

struct ColorInfo {
  const char* name;
  std::array<uint8_t, 3> rgb;
};
// Chosen far apart in RGB (nearest pair ~100) so a pooled mix of background and one big shape stays decodable.
constexpr std::array<ColorInfo, kAllColors> kColors = {{
    {"red", {220, 30, 30}},
    {"orange", {250, 140, 0}},
    {"yellow", {240, 230, 40}},
    {"green", {30, 170, 50}},
    {"cyan", {40, 210, 230}},
    {"blue", {30, 60, 220}},
    {"purple", {140, 40, 190}},
    {"pink", {250, 130, 200}},
    {"white", {255, 255, 255}},
    {"black", {0, 0, 0}},
}};
constexpr std::array<const char*, kShapes> kShapeNames = {"square", "circle", "triangle", "cross"};
constexpr std::array<const char*, kFamilies> kFamilyNames = {"background_color", "small_object_color", "presence",
                                                             "glyph",            "count_rough",        "position"};

template <typename T>
void shuffle(std::vector<T>& v, SplitMix64& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(static_cast<uint32_t>(i))]);
}

// A palette colour other than `not_this`, uniformly.
Color other_color(SplitMix64& rng, Color not_this) {
  int c = static_cast<int>(rng.below(kPaletteColors - 1));
  if (c >= static_cast<int>(not_this)) ++c;
  return static_cast<Color>(c);
}

std::string pick(SplitMix64& rng, std::initializer_list<const char*> templates) {
  return *(templates.begin() + rng.below(static_cast<uint32_t>(templates.size())));
}

std::string replace_all(std::string s, const std::string& key, const std::string& value) {
  for (size_t p = s.find(key); p != std::string::npos; p = s.find(key, p + value.size()))
    s.replace(p, key.size(), value);
  return s;
}

void draw_glyph(cv::Mat& labels, const Object& g, int patch, uint8_t box, uint8_t ink) {
  labels(cv::Rect(g.x, g.y, g.size, g.size)).setTo(box);
  const GlyphGeometry geo = glyph_geometry(patch);
  const auto& rows = digit_bitmap(g.digit);
  for (int r = 0; r < 7; ++r)
    for (int c = 0; c < 5; ++c)
      if (rows[static_cast<size_t>(r)] & (1u << (4 - c)))
        labels(cv::Rect(g.x + geo.offset_x + c * geo.scale, g.y + geo.offset_y + r * geo.scale, geo.scale, geo.scale))
            .setTo(ink);
}

PatchLabels label_patches(const cv::Mat& ids, const std::vector<Object>& objects, Color background, int patch) {
  PatchLabels out;
  out.grid = ids.cols / patch;
  const size_t n = static_cast<size_t>(out.grid) * static_cast<size_t>(out.grid);
  out.color.assign(n, static_cast<uint8_t>(background));
  out.kind.assign(n, 0);
  out.shape.assign(n, 0);
  out.digit.assign(n, 0);
  for (int py = 0; py < out.grid; ++py)
    for (int px = 0; px < out.grid; ++px) {
      std::vector<int> count(objects.size() + 1, 0);
      for (int y = py * patch; y < (py + 1) * patch; ++y)
        for (int x = px * patch; x < (px + 1) * patch; ++x) ++count[ids.at<uint8_t>(y, x)];
      auto best = std::max_element(count.begin() + 1, count.end());
      if (best == count.end() || *best * 4 < patch * patch) continue;  // < 1/4 covered: background
      const Object& o = objects[static_cast<size_t>(best - count.begin() - 1)];
      const size_t i = static_cast<size_t>(py * out.grid + px);
      out.color[i] = static_cast<uint8_t>(o.color);
      out.kind[i] = static_cast<uint8_t>(static_cast<int>(o.kind) + 1);
      if (o.kind == ObjectKind::glyph)
        out.digit[i] = static_cast<uint8_t>(o.digit + 1);
      else
        out.shape[i] = static_cast<uint8_t>(static_cast<int>(o.shape) + 1);
    }
  return out;
}

}  // namespace

const char* color_name(Color c) { return kColors[static_cast<size_t>(c)].name; }
const char* shape_name(Shape s) { return kShapeNames[static_cast<size_t>(s)]; }
const char* family_name(Family f) { return kFamilyNames[static_cast<size_t>(f)]; }
std::array<uint8_t, 3> color_rgb(Color c) { return kColors[static_cast<size_t>(c)].rgb; }

bool family_is_coarse(Family f) {
  return f == Family::background_color || f == Family::presence || f == Family::count_rough;
}

Family family_from_name(const std::string& name) {
  for (int i = 0; i < kFamilies; ++i)
    if (name == kFamilyNames[static_cast<size_t>(i)]) return static_cast<Family>(i);
  throw Error("family", "unknown question family '" + name + "' (expected background_color, small_object_color, "
                                                             "presence, glyph, count_rough or position)");
}

const std::vector<std::string>& answer_vocabulary() {
  static const std::vector<std::string> vocab = [] {
    std::vector<std::string> v;
    for (int c = 0; c < kPaletteColors; ++c) v.emplace_back(kColors[static_cast<size_t>(c)].name);
    for (const char* w : {"yes", "no", "left", "right", "above", "below"}) v.emplace_back(w);
    for (int d = 0; d < 10; ++d) v.push_back(std::to_string(d));
    return v;
  }();
  return vocab;
}

GlyphGeometry glyph_geometry(int patch_size) {
  GlyphGeometry g;
  g.scale = std::max(1, patch_size / 8);
  g.offset_x = (patch_size - 5 * g.scale) / 2;
  g.offset_y = (patch_size - 7 * g.scale + 1) / 2;
  return g;
}

void GeneratorConfig::validate() const {
  auto bad = [](const std::string& field, const std::string& what) { throw Error("GeneratorConfig." + field, what); };
  if (patch_size < 8 || patch_size > 64) bad("patch_size", "must be 8..64 px (a 5x7 digit must fit in one patch)");
  if (image_size < 2 * patch_size || image_size > 2048 || image_size % patch_size != 0)
    bad("image_size", "must be a multiple of patch_size (" + std::to_string(patch_size) + ") up to 2048, got " +
                          std::to_string(image_size));
  if (block_patches < 2) bad("block_patches", "must be >= 2");
  if (blocks() < 2)
    bad("block_patches", "the grid (" + std::to_string(grid()) + " patches) must hold at least 2x2 blocks of " +
                             std::to_string(block_patches) + " patches");
  if (min_small < 1 || max_small > kShapes || min_small > max_small)
    bad("min_small/max_small", "need 1 <= min_small <= max_small <= 4 (small shapes have distinct types)");
  const int free_blocks_needed = (max_small + 1 + 1) / 2;  // small shapes + glyph, two per free block
  if (min_big < 1 || min_big > max_big || max_big > 9 || max_big > blocks() * blocks() - free_blocks_needed)
    bad("min_big/max_big", "need 1 <= min_big <= max_big <= min(9, blocks^2 - " + std::to_string(free_blocks_needed) +
                               ") with " + std::to_string(blocks() * blocks()) + " blocks");
}

void rasterize_shape(cv::Mat& labels, Shape shape, int x, int y, int size, uint8_t value) {
  if (labels.type() != CV_8UC1 || x < 0 || y < 0 || x + size > labels.cols || y + size > labels.rows || size < 2)
    throw Error("rasterize_shape", "bounding square outside the label map or not CV_8UC1");
  const double half = size / 2.0;
  const double arm = std::max(2, (size + 2) / 4) / 2.0;  // cross arm half-thickness
  for (int j = 0; j < size; ++j)
    for (int i = 0; i < size; ++i) {
      // Pixel centres, so the shape is symmetric and has no anti-aliasing.
      const double du = i + 0.5 - half, dv = j + 0.5 - half;
      bool in = false;
      switch (shape) {
        case Shape::square: in = true; break;
        case Shape::circle: in = du * du + dv * dv <= half * half; break;
        case Shape::triangle: in = std::abs(du) <= (j + 1) / 2.0; break;  // apex up, full width on the last row
        case Shape::cross: in = std::abs(du) <= arm || std::abs(dv) <= arm; break;
      }
      if (in) labels.at<uint8_t>(y + j, x + i) = value;
    }
}

Scene generate_scene(const GeneratorConfig& config, uint64_t seed, uint64_t index) {
  config.validate();
  SplitMix64 rng(splitmix64_hash(splitmix64_hash(seed ^ 0x44504E42656E6368ull) + index));  // "DPNBench"
  const int P = config.patch_size, B = config.block_patches, NB = config.blocks(), G = config.grid();
  const int block_px = B * P;
  const int margin_patches = (G - NB * B) / 2;  // centres the block layout when the grid is not a multiple of B

  Scene scene;
  scene.background = static_cast<Color>(rng.below(kPaletteColors));
  const Color bg = scene.background;

  std::vector<int> blocks(static_cast<size_t>(NB * NB));
  for (size_t i = 0; i < blocks.size(); ++i) blocks[i] = static_cast<int>(i);
  shuffle(blocks, rng);

  // Big shapes: one per block, side 3/4..(block - 2 px), at least 1 px inside the block.
  const int n_big = rng.range(config.min_big, config.max_big);
  for (int k = 0; k < n_big; ++k) {
    Object o;
    o.kind = ObjectKind::big_shape;
    o.shape = static_cast<Shape>(rng.below(kShapes));
    o.color = other_color(rng, bg);
    o.size = rng.range((3 * block_px + 3) / 4, block_px - 2);
    const int bx = (margin_patches + blocks[static_cast<size_t>(k)] % NB * B) * P;
    const int by = (margin_patches + blocks[static_cast<size_t>(k)] / NB * B) * P;
    o.x = bx + rng.range(1, block_px - 1 - o.size);
    o.y = by + rng.range(1, block_px - 1 - o.size);
    scene.objects.push_back(o);
  }

  // Small shapes: distinct types and colours (none the background's); then the glyph.
  const int n_small = rng.range(config.min_small, config.max_small);
  std::vector<int> shapes = {0, 1, 2, 3};
  shuffle(shapes, rng);
  std::vector<Color> colors;
  for (int c = 0; c < kPaletteColors; ++c)
    if (static_cast<Color>(c) != bg) colors.push_back(static_cast<Color>(c));
  shuffle(colors, rng);
  const int digit = static_cast<int>(rng.below(10));

  // Patch cells for the small items: free blocks only, <= 2 per block, never 8-adjacent to each other.
  // chosen[0] is the glyph box and chosen[1] (small shape 0, the subject of the position question) shares its block,
  // so that relation lives inside one pooled cell.
  struct Cell {
    int px, py, block;
  };
  std::vector<Cell> candidates;
  for (size_t k = static_cast<size_t>(n_big); k < blocks.size(); ++k)
    for (int dy = 0; dy < B; ++dy)
      for (int dx = 0; dx < B; ++dx)
        candidates.push_back(
            {margin_patches + blocks[k] % NB * B + dx, margin_patches + blocks[k] / NB * B + dy, blocks[k]});
  shuffle(candidates, rng);
  std::vector<Cell> chosen;
  for (int pass = 0; pass < 2; ++pass)  // a second pass revisits cells skipped while looking for chosen[1]
    for (const Cell& c : candidates) {
      if (static_cast<int>(chosen.size()) == n_small + 1) break;
      bool ok = std::count_if(chosen.begin(), chosen.end(), [&](const Cell& o) { return o.block == c.block; }) < 2;
      if (chosen.size() == 1) ok = c.block == chosen[0].block;
      for (const Cell& o : chosen) ok = ok && std::max(std::abs(o.px - c.px), std::abs(o.py - c.py)) >= 2;
      if (ok) chosen.push_back(c);
    }
  if (static_cast<int>(chosen.size()) != n_small + 1)
    throw Error("generate_scene", "no room for " + std::to_string(n_small + 1) + " small items; lower max_big");
  const int inset = std::max(1, P / 8);
  for (int k = 0; k < n_small; ++k) {
    Object o;
    o.kind = ObjectKind::small_shape;
    o.shape = static_cast<Shape>(shapes[static_cast<size_t>(k)]);
    o.color = colors[static_cast<size_t>(k)];
    o.size = P - 2 * inset;
    o.x = chosen[static_cast<size_t>(k + 1)].px * P + inset;
    o.y = chosen[static_cast<size_t>(k + 1)].py * P + inset;
    scene.objects.push_back(o);
  }
  Object glyph;
  glyph.kind = ObjectKind::glyph;
  glyph.color = Color::white;
  glyph.size = P;
  glyph.x = chosen[0].px * P;
  glyph.y = chosen[0].py * P;
  glyph.digit = digit;
  scene.objects.push_back(glyph);

  // Rasterise: colour labels and object ids (0 = background, k + 1 = objects[k]).
  const int S = config.image_size;
  cv::Mat labels(S, S, CV_8UC1, cv::Scalar(static_cast<int>(bg)));
  cv::Mat ids(S, S, CV_8UC1, cv::Scalar(0));
  for (size_t k = 0; k < scene.objects.size(); ++k) {
    const Object& o = scene.objects[k];
    if (o.kind == ObjectKind::glyph) {
      draw_glyph(labels, o, P, static_cast<uint8_t>(Color::white), static_cast<uint8_t>(Color::black));
      ids(cv::Rect(o.x, o.y, o.size, o.size)).setTo(static_cast<int>(k + 1));
    } else {
      rasterize_shape(labels, o.shape, o.x, o.y, o.size, static_cast<uint8_t>(o.color));
      rasterize_shape(ids, o.shape, o.x, o.y, o.size, static_cast<uint8_t>(k + 1));
    }
  }
  scene.image.create(S, S, CV_8UC3);
  for (int y = 0; y < S; ++y)
    for (int x = 0; x < S; ++x) {
      const auto rgb = color_rgb(static_cast<Color>(labels.at<uint8_t>(y, x)));
      scene.image.at<cv::Vec3b>(y, x) = cv::Vec3b(rgb[0], rgb[1], rgb[2]);
    }
  scene.patches = label_patches(ids, scene.objects, bg, P);

  // Questions, one per family in Family order.
  const auto small = [&](int k) -> const Object& { return scene.objects[static_cast<size_t>(n_big + k)]; };
  {
    QA q;
    q.family = Family::background_color;
    q.question = pick(rng, {"What color is the background?", "What is the background color?",
                            "Which color fills the background?"});
    q.answer = color_name(bg);
    scene.qa.push_back(q);
  }
  {
    QA q;
    q.family = Family::small_object_color;
    const Object& t = small(static_cast<int>(rng.below(static_cast<uint32_t>(n_small))));
    q.shape = static_cast<int>(t.shape);
    q.question = replace_all(pick(rng, {"What color is the small {s}?", "Which color does the small {s} have?",
                                        "What is the color of the little {s}?"}),
                             "{s}", shape_name(t.shape));
    q.answer = color_name(t.color);
    scene.qa.push_back(q);
  }
  {
    QA q;
    q.family = Family::presence;
    bool yes = rng.coin();
    std::vector<Color> absent;
    for (int c = 0; c < kPaletteColors; ++c) {
      bool used = static_cast<Color>(c) == bg;
      for (const Object& o : scene.objects) used = used || o.color == static_cast<Color>(c);
      if (!used) absent.push_back(static_cast<Color>(c));
    }
    const uint32_t which_big = rng.below(static_cast<uint32_t>(n_big));
    const uint32_t which_absent = absent.empty() ? 0 : rng.below(static_cast<uint32_t>(absent.size()));
    if (absent.empty()) yes = true;
    const Color c = yes ? scene.objects[which_big].color : absent[which_absent];
    q.color = static_cast<int>(c);
    q.question = replace_all(pick(rng, {"Is there a {c} shape in the image?", "Is there anything {c} in the picture?",
                                        "Do you see anything {c}?"}),
                             "{c}", color_name(c));
    q.answer = yes ? "yes" : "no";
    scene.qa.push_back(q);
  }
  {
    QA q;
    q.family = Family::glyph;
    q.question = pick(rng, {"Which digit is written in the white box?", "What number is shown in the small white box?",
                            "What digit do you see in the white box?"});
    q.answer = std::to_string(digit);
    scene.qa.push_back(q);
  }
  {
    QA q;
    q.family = Family::count_rough;
    q.question = pick(rng, {"How many big shapes are there?", "How many large objects are in the image?",
                            "Count the big shapes in the picture."});
    q.answer = std::to_string(n_big);
    scene.qa.push_back(q);
  }
  {
    QA q;
    q.family = Family::position;
    const int k = 0;  // the small shape placed in the glyph's block
    const int dx = chosen[1].px - chosen[0].px;
    const int dy = chosen[1].py - chosen[0].py;
    const bool tie_horizontal = rng.coin();
    q.axis = std::abs(dx) > std::abs(dy) ? 0 : std::abs(dy) > std::abs(dx) ? 1 : (tie_horizontal ? 0 : 1);
    q.shape = static_cast<int>(small(k).shape);
    const std::string t = q.axis == 0 ? pick(rng, {"Is the small {s} to the left or to the right of the white box?",
                                                   "Is the small {s} left or right of the digit box?"})
                                      : pick(rng, {"Is the small {s} above or below the white box?",
                                                   "Is the small {s} above or below the digit box?"});
    q.question = replace_all(t, "{s}", shape_name(small(k).shape));
    q.answer = q.axis == 0 ? (dx < 0 ? "left" : "right") : (dy < 0 ? "above" : "below");
    scene.qa.push_back(q);
  }
  return scene;
}

}  // namespace dpn::datasets

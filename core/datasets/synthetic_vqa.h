// DPNBench: procedural VQA scenes whose questions are, by construction, either coarse (survive 4x4 token pooling)
// or fine (need ~full-resolution tokens). Torch-free; the trainer and the benchmark export both start here.
//
// Layout of a scene (default 96x96 px, patch 8 -> a 12x12 token grid, block = 4x4 patches -> 3x3 blocks of 32 px):
//   - a flat background colour;
//   - 1..4 BIG shapes, one per block, each covering >= 24% of its block (a 24 px cross);
//   - 2..3 SMALL shapes (distinct shape types and colours), each inside one patch, only in blocks without a big shape;
//   - one white GLYPH box of one patch with a black 5x7 digit, also in a free block.
// Small items are never 8-adjacent (in patches) and a free block holds at most two of them.
// datasets/README.md explains why each question family is coarse or fine under this layout.
#pragma once
#include <array>
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace dpn::datasets {

// Bumped whenever the bytes produced for a given (config, seed, index) change.
constexpr int kGeneratorVersion = 1;

// The committed test subset uses seeds below kFirstTrainSeed; training must use seeds >= kFirstTrainSeed.
constexpr uint64_t kTestSeed = 1;
constexpr uint64_t kFirstTrainSeed = 1000;

// Suffix LLaVA's short-answer benchmarks put inside the question text.
extern const char* const kShortAnswerSuffix;

// Colours 0..7 are the drawable palette (backgrounds, shapes); white and black are reserved for the glyph box.
enum class Color : uint8_t { red, orange, yellow, green, cyan, blue, purple, pink, white, black };
constexpr int kPaletteColors = 8;
constexpr int kAllColors = 10;
enum class Shape : uint8_t { square, circle, triangle, cross };
constexpr int kShapes = 4;
enum class ObjectKind : uint8_t { big_shape, small_shape, glyph };

// Question families. Order is the export rotation order (coarse and fine interleaved).
enum class Family : uint8_t { background_color, small_object_color, presence, glyph, count_rough, position };
constexpr int kFamilies = 6;

const char* color_name(Color c);
const char* shape_name(Shape s);
const char* family_name(Family f);
bool family_is_coarse(Family f);
std::array<uint8_t, 3> color_rgb(Color c);
Family family_from_name(const std::string& name);  // throws dpn::Error on an unknown name

// Every answer the generator can produce: colour names (palette only), yes/no, digits, left/right/above/below.
const std::vector<std::string>& answer_vocabulary();

struct GeneratorConfig {
  int image_size = 96;    // px, square
  int patch_size = 8;     // px per vision-tower patch; small items are aligned to this grid
  int block_patches = 4;  // block side in patches: the pooling factor the coarse families must survive
  int min_big = 1, max_big = 4;
  int min_small = 2, max_small = 3;

  int grid() const { return image_size / patch_size; }
  int blocks() const { return grid() / block_patches; }  // blocks per side
  void validate() const;                                 // throws dpn::Error naming the bad field
};

struct Object {
  ObjectKind kind = ObjectKind::big_shape;
  Shape shape = Shape::square;  // unused for the glyph
  Color color = Color::white;   // the glyph box is white
  int x = 0, y = 0, size = 0;   // bounding square, px
  int digit = -1;               // glyph only
};

struct QA {
  Family family = Family::background_color;
  std::string question;  // without kShortAnswerSuffix
  std::string answer;    // one word from answer_vocabulary()
  // The referents the question text names (so oracles need not parse English); -1 when unused.
  int shape = -1;  // Shape of the small object asked about (small_object_color, position)
  int color = -1;  // Color asked about (presence)
  int axis = -1;   // position: 0 = left/right, 1 = above/below
};

// Dense per-patch labels (grid x grid, row-major) for pre-training the vision tower.
struct PatchLabels {
  int grid = 0;
  std::vector<uint8_t> color;  // Color index: of the object covering >= 1/4 of the patch, else the background
  std::vector<uint8_t> kind;   // 0 background, 1 big shape, 2 small shape, 3 glyph (same 1/4 rule)
  std::vector<uint8_t> shape;  // 0 none, else Shape + 1
  std::vector<uint8_t> digit;  // 0 none, else digit + 1
};

struct Scene {
  cv::Mat image;  // RGB, CV_8UC3, image_size x image_size
  Color background = Color::red;
  std::vector<Object> objects;
  std::vector<QA> qa;  // one per family, in Family order
  PatchLabels patches;
};

// Deterministic in (config, seed, index): the same arguments give the same pixels and questions everywhere.
Scene generate_scene(const GeneratorConfig& config, uint64_t seed, uint64_t index);

// Draws one shape into a label map (uint8 Color per pixel) inside the bounding square (x, y, size).
// Shared by the generator and the oracles, which re-render candidates to recognise shapes.
void rasterize_shape(cv::Mat& labels, Shape shape, int x, int y, int size, uint8_t value);

// The 5x7 bitmap of a digit: row r, column c (0..4) is ink when bit (4 - c) of rows[r] is set.
const std::array<uint8_t, 7>& digit_bitmap(int digit);

// Where the digit sits inside a glyph box of one patch: ink pixel (r, c) of the bitmap covers the
// scale x scale square at (offset_x + c * scale, offset_y + r * scale) relative to the box.
struct GlyphGeometry {
  int scale = 1, offset_x = 1, offset_y = 1;
};
GlyphGeometry glyph_geometry(int patch_size);

}  // namespace dpn::datasets

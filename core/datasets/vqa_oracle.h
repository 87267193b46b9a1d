// Two hand-written DPNBench solvers that check the construction of the question families:
//   - the full-resolution oracle answers from pixels alone (so every answer really is in the image), and
//   - the pooled oracle answers from an average-pooled colour map (one mean RGB per k x k patches), the information
//     a heavily pooled token grid keeps about colour; coarse families must survive it, fine families must not.
// Both receive the question's referents (QA::shape/color/axis) instead of parsing its English text.
#pragma once
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "datasets/synthetic_vqa.h"

namespace dpn::datasets {

struct PooledColorMap {
  int cells = 0;    // per side
  int cell_px = 0;  // side of one cell in px
  std::vector<cv::Vec3d> mean;  // cells x cells, row-major, RGB
};

// Average pools an RGB image over cells of cell_px (whole cells only, from the top-left, like avg_pool2d).
PooledColorMap pool_color_map(const cv::Mat& rgb, int cell_px);

// Answer from the pixels; "" when the image cannot be parsed (which a test treats as a generator bug).
std::string oracle_full_resolution(const cv::Mat& rgb, const QA& qa, const GeneratorConfig& config);

// Best effort from the pooled map; guesses where the map holds no evidence (shape identity, digit strokes).
std::string oracle_pooled(const PooledColorMap& map, const QA& qa, const GeneratorConfig& config);

}  // namespace dpn::datasets

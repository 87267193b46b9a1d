// Image decoding and LLaVA's pad-resize-normalise pipeline (llava-detail.md §5.1).
#include "image/preprocess.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "image/pil_resize.h"
#include "util/error.h"

namespace dpn {

cv::Mat load_image_rgb(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(path, "image file not found");
  if (std::filesystem::file_size(path, ec) == 0) throw Error(path, "image file is empty (0 bytes)");
  cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  if (bgr.empty()) throw Error(path, "not a readable image (PNG, JPEG, BMP, WebP, TIFF are supported)");
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

cv::Mat expand_to_square(const cv::Mat& rgb, const std::vector<double>& mean) {
  if (rgb.cols == rgb.rows) return rgb;
  PadGeometry g = pad_geometry(rgb.cols, rgb.rows);
  cv::Scalar bg(int(mean[0] * 255), int(mean[1] * 255), int(mean[2] * 255));  // truncation, as LLaVA does
  cv::Mat sq(g.side, g.side, rgb.type(), bg);
  rgb.copyTo(sq(cv::Rect(g.offset_x, g.offset_y, rgb.cols, rgb.rows)));
  return sq;
}

PadGeometry pad_geometry(int width, int height) {
  PadGeometry g;
  g.orig_w = width;
  g.orig_h = height;
  g.side = std::max(width, height);
  g.offset_x = (g.side - width) / 2;
  g.offset_y = (g.side - height) / 2;
  return g;
}

at::Tensor preprocess_image(const cv::Mat& rgb, int size, const std::vector<double>& mean, const std::vector<double>& std) {
  cv::Mat sq = expand_to_square(rgb, mean);
  cv::Mat resized = pil_resize_bicubic(sq, size, size);
  at::Tensor out = at::empty({3, size, size}, at::TensorOptions().dtype(at::kFloat));
  float* o = out.data_ptr<float>();
  const float m[3] = {float(mean[0]), float(mean[1]), float(mean[2])};
  const float s[3] = {float(std[0]), float(std[1]), float(std[2])};
  for (int y = 0; y < size; ++y) {
    const uint8_t* row = resized.ptr<uint8_t>(y);
    for (int x = 0; x < size; ++x)
      for (int c = 0; c < 3; ++c) {
        float v = float(double(row[x * 3 + c]) * (1.0 / 255.0));  // rescale in float64, stored as float32
        o[(size_t(c) * size + y) * size + x] = (v - m[c]) / s[c];
      }
  }
  return out;
}

}  // namespace dpn

// LLaVA's pad-resize-normalise pipeline (llava-detail.md §5.1); decoding is in image_file.cpp.
#include "image/preprocess.h"

#include <ATen/ATen.h>

#include "image/pil_resize.h"
#include "util/error.h"

namespace dpn {

namespace {

cv::Scalar pad_colour(const std::vector<double>& mean) {
  return cv::Scalar(int(mean[0] * 255), int(mean[1] * 255), int(mean[2] * 255));  // truncation, as LLaVA does
}

}  // namespace

cv::Mat expand_to_square(const cv::Mat& rgb, const std::vector<double>& mean) {
  if (rgb.cols == rgb.rows) return rgb;
  check_image_pixels(uint64_t(rgb.cols), uint64_t(rgb.rows), "image");
  PadGeometry g = pad_geometry(rgb.cols, rgb.rows);
  cv::Mat sq(g.side, g.side, rgb.type(), pad_colour(mean));
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
  const PadGeometry g = pad_geometry(rgb.cols, rgb.rows);
  cv::Mat resized = pil_pad_resize_bicubic(rgb, g.side, g.offset_x, g.offset_y, pad_colour(mean), size, size);
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

// LLaVA-1.5's evaluation preprocessing (image_aspect_ratio = pad): decode as RGB, pad to a square with the mean
// colour, PIL-bicubic resize, rescale 1/255, normalise with the CLIP mean/std. Also maps tokens back to pixels.
#pragma once
#include <ATen/core/Tensor.h>

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "image/image_file.h"  // load_image_rgb

namespace dpn {

// expand2square: centre the image on a max(W,H) square filled with int(255 * mean) per channel. Throws dpn::Error
// when the square would exceed ImageLimits::max_pixels. preprocess_image never makes this square.
cv::Mat expand_to_square(const cv::Mat& rgb, const std::vector<double>& mean);

// Where the original image sits inside the padded square, for drawing token maps over the original.
struct PadGeometry {
  int orig_w = 0, orig_h = 0;  // original size
  int side = 0;                // padded square side (max(W, H))
  int offset_x = 0, offset_y = 0;
};
PadGeometry pad_geometry(int width, int height);

// Full pipeline to a normalised [3, S, S] float32 tensor; pad and resize are fused (pil_pad_resize_bicubic), bit-exact
// with expand_to_square followed by pil_resize_bicubic.
at::Tensor preprocess_image(const cv::Mat& rgb, int size, const std::vector<double>& mean, const std::vector<double>& std);

}  // namespace dpn

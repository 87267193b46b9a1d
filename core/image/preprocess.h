// LLaVA-1.5's evaluation preprocessing (image_aspect_ratio = pad): decode as RGB, pad to a square with the mean
// colour, PIL-bicubic resize, rescale 1/255, normalise with the CLIP mean/std. Also maps tokens back to pixels.
#pragma once
#include <ATen/core/Tensor.h>

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace dpn {

// Decodes an image file to RGB uint8 like PIL's open().convert('RGB'): no EXIF rotation, alpha dropped, grey
// replicated. Throws dpn::Error naming the file if it is missing, empty or not a decodable image.
cv::Mat load_image_rgb(const std::string& path);

// expand2square: centre the image on a max(W,H) square filled with int(255 * mean) per channel.
cv::Mat expand_to_square(const cv::Mat& rgb, const std::vector<double>& mean);

// Where the original image sits inside the padded square, for drawing token maps over the original.
struct PadGeometry {
  int orig_w = 0, orig_h = 0;  // original size
  int side = 0;                // padded square side (max(W, H))
  int offset_x = 0, offset_y = 0;
};
PadGeometry pad_geometry(int width, int height);

// Full pipeline to a normalised [3, S, S] float32 tensor.
at::Tensor preprocess_image(const cv::Mat& rgb, int size, const std::vector<double>& mean, const std::vector<double>& std);

}  // namespace dpn

// Pillow's bicubic resize (Resample.c), bit-exact on uint8: a = -0.5, support widened by the scale when shrinking
// (antialiasing), horizontal pass then vertical, uint8 between passes, 22-bit fixed-point weights.
// OpenCV's INTER_CUBIC differs (a = -0.75, no antialiasing), and LLaVA was trained on PIL's output.
#pragma once
#include <opencv2/core.hpp>

namespace dpn {

// src: CV_8UC3 (or CV_8UC1); returns an image of the same type and size (width, height).
cv::Mat pil_resize_bicubic(const cv::Mat& src, int width, int height);

}  // namespace dpn

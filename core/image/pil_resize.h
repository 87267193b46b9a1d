// Pillow's bicubic resize (Resample.c), bit-exact on uint8: a = -0.5, support widened by the scale when shrinking
// (antialiasing), horizontal pass then vertical, uint8 between passes, 22-bit fixed-point weights.
// OpenCV's INTER_CUBIC differs (a = -0.75, no antialiasing), and LLaVA was trained on PIL's output.
#pragma once
#include <opencv2/core.hpp>

namespace dpn {

// src: CV_8UC3 (or CV_8UC1); returns an image of the same type and size (width, height).
cv::Mat pil_resize_bicubic(const cv::Mat& src, int width, int height);

// pil_resize_bicubic of `src` pasted at (offset_x, offset_y) on a side x side square of `fill` (LLaVA's
// expand2square), bit for bit, without making the square: the memory is one padded row and the horizontal pass's
// output (at most side x width pixels).
cv::Mat pil_pad_resize_bicubic(const cv::Mat& src, int side, int offset_x, int offset_y, const cv::Scalar& fill, int width,
                               int height);

}  // namespace dpn

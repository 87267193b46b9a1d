// Image decoding: regular file only, header size checked against the limits, then OpenCV decodes from memory.
#include "image/image_file.h"

#include <algorithm>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <utility>

#include "image/image_header.h"
#include "util/error.h"
#include "util/regular_file.h"

namespace dpn {

void check_image_pixels(uint64_t width, uint64_t height, const std::string& where, const ImageLimits& limits) {
  if (width == 0 || height == 0) throw Error(where, "image has no pixels (" + std::to_string(width) + "x" + std::to_string(height) + ")");
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  const std::string limit = "the limit of " + std::to_string(limits.max_pixels) + " pixels";
  auto count = [](uint64_t a, uint64_t b) {  // "" when a * b overflows
    uint64_t n = 0;
    return __builtin_mul_overflow(a, b, &n) ? std::string() : " (" + std::to_string(n) + ")";
  };
  const uint64_t side = std::max(width, height);
  if (width > limits.max_pixels / height)
    throw Error(where, "image is " + size + " pixels" + count(width, height) + ", above " + limit);
  if (side > limits.max_pixels / side)
    throw Error(where, "image is " + size + " pixels; padded to a square as LLaVA does, it would be " + std::to_string(side) +
                           "x" + std::to_string(side) + count(side, side) + ", above " + limit);
}

cv::Mat decode_image_rgb(const std::byte* data, size_t size, const std::string& where, const ImageLimits& limits) {
  if (size == 0) throw Error(where, "image file is empty (0 bytes)");
  if (size > limits.max_file_bytes || size > static_cast<size_t>(INT32_MAX))
    throw Error(where, "image file is " + std::to_string(size) + " bytes, above the limit of " +
                           std::to_string(limits.max_file_bytes) + " bytes");
  const ImageHeader header = read_image_header(data, size, where);
  check_image_pixels(header.width, header.height, where, limits);
  cv::Mat bgr;
  try {
    const cv::Mat bytes(1, static_cast<int>(size), CV_8U, const_cast<std::byte*>(data));
    bgr = cv::imdecode(bytes, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception&) {
    bgr.release();  // OpenCV's own message names its source lines, not the problem: say it plainly below
  }
  if (bgr.empty() || bgr.type() != CV_8UC3)
    throw Error(where, "not a readable image (the " + header.format + " data is corrupt or uses a feature the decoder lacks)");
  check_image_pixels(static_cast<uint64_t>(bgr.cols), static_cast<uint64_t>(bgr.rows), where, limits);
  for (int y = 0; y < bgr.rows; ++y) {  // BGR -> RGB in place: no second copy of a large image
    uint8_t* p = bgr.ptr<uint8_t>(y);
    for (int x = 0; x < bgr.cols; ++x) std::swap(p[3 * x], p[3 * x + 2]);
  }
  return bgr;
}

cv::Mat load_image_rgb(const std::string& path, const ImageLimits& limits) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path, "image file not found");
  const std::string bytes = read_regular_file(path, limits.max_file_bytes, "image file");
  return decode_image_rgb(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size(), path, limits);
}

}  // namespace dpn
